import { nextLink } from '../../../../functions/lib/sources/okta/links';

describe('nextLink (Okta\'s Link header)', () => {
  it('picks rel="next" from the joined header fetch hands over, whatever the order', () => {
    const self = '<https://acme.okta.com/api/v1/users?limit=200>; rel="self"';
    const next = '<https://acme.okta.com/api/v1/users?after=00u9&limit=200&filter=lastUpdated+gt+%222026-01-01T00%3A00%3A00.000Z%22>; rel="next"';
    expect(nextLink(`${self}, ${next}`)).toBe('https://acme.okta.com/api/v1/users?after=00u9&limit=200&filter=lastUpdated+gt+%222026-01-01T00%3A00%3A00.000Z%22');
    expect(nextLink(`${next}, ${self}`)).toMatch(/after=00u9/);
  });

  it('answers undefined without a next link', () => {
    expect(nextLink(null)).toBeUndefined();
    expect(nextLink('<https://acme.okta.com/api/v1/users?limit=200>; rel="self"')).toBeUndefined();
    expect(nextLink('garbage')).toBeUndefined();
  });

  it('reads rel without quotes and among several relation types', () => {
    expect(nextLink('<https://a.okta.com/x?after=1>; rel=next')).toBe('https://a.okta.com/x?after=1');
    expect(nextLink('<https://a.okta.com/x?after=2>; title="t"; rel="prefetch next"')).toBe('https://a.okta.com/x?after=2');
  });
});
