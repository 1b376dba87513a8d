import {
  csnWentBack, type CsnWatermark, isUnder, nextWatermark, planPoll, scopeKey, type ServerState,
} from '../../../../functions/lib/sources/ldap/watermark';
import { packUuids, unpackUuids, escapeFilterValue } from '../../../../functions/lib/sources/ldap/entryListing';

const CSN_A = '20261205235541.436142Z#000000#000#000000';
const CSN_B = '20261205235600.000001Z#000000#000#000000';
const CSN_B_SID2 = '20261205235500.000001Z#000000#002#000000';
const server = (contextCsn: string[], over: Partial<ServerState> = {}): ServerState => ({
  suffix: 'dc=example,dc=test', suffixUuid: '1f418aa0-8553-1041-8088-c725b9b6cbb3', contextCsn, ...over,
});
const scope = scopeKey('ou=People,dc=example,dc=test', '(objectClass=inetOrgPerson)', '(objectClass=groupOfNames)');
const saved = (contextCsn: string[], over: Partial<CsnWatermark> = {}): CsnWatermark => ({
  ...nextWatermark(server(contextCsn), scope, 'listing', undefined, new Date('2026-12-06T00:00:00Z')), ...over,
});

describe('planPoll', () => {
  it('resyncs without a watermark, or with one it cannot read', () => {
    expect(planPoll(undefined, server([CSN_A]), scope, 'listing')).toEqual({ mode: 'full', reason: 'first-poll' });
    expect(planPoll({ ...saved([CSN_A]), contextCsn: ['junk'] }, server([CSN_A]), scope, 'listing')).toEqual({ mode: 'full', reason: 'watermark-unreadable' });
  });

  it('stops when the contextCSN set is the stored one, in any order', () => {
    expect(planPoll(saved([CSN_A, CSN_B_SID2]), server([CSN_B_SID2, CSN_A]), scope, 'listing')).toEqual({ mode: 'unchanged' });
  });

  it('polls from the lowest stored value when the set moved on', () => {
    expect(planPoll(saved([CSN_A, CSN_B_SID2]), server([CSN_B, CSN_B_SID2]), scope, 'listing'))
      .toEqual({ mode: 'incremental', fromCsn: CSN_B_SID2, log: undefined });
  });

  it('resyncs for another server, a provider gone back or missing, another scope or deletion mode', () => {
    expect(planPoll(saved([CSN_A]), server([CSN_B], { suffixUuid: '00000000-0000-1000-8000-000000000000' }), scope, 'listing').mode).toBe('full');
    expect(planPoll(saved([CSN_B]), server([CSN_A]), scope, 'listing')).toEqual({ mode: 'full', reason: 'csn-went-back' });
    expect(planPoll(saved([CSN_A, CSN_B_SID2]), server([CSN_B]), scope, 'listing')).toEqual({ mode: 'full', reason: 'csn-went-back' });
    expect(planPoll(saved([CSN_A]), server([CSN_B]), scopeKey('dc=example,dc=test', '(uid=*)', '(cn=*)'), 'listing')).toEqual({ mode: 'full', reason: 'scope-changed' });
    expect(planPoll(saved([CSN_A]), server([CSN_B]), scope, 'accesslog')).toEqual({ mode: 'full', reason: 'deletion-mode-changed' });
  });

  it('carries the log position in accesslog mode', () => {
    const log = { reqStart: '20261205235541.000001Z', id: '2f418aa0-8553-1041-8088-c725b9b6cbb3', recent: ['20261205235540.000003Z'] };
    const mark = nextWatermark(server([CSN_A]), scope, 'accesslog', log, new Date());
    expect(planPoll(mark, server([CSN_B]), scope, 'accesslog')).toEqual({ mode: 'incremental', fromCsn: CSN_A, log });
  });
});

describe('CSN and DN helpers', () => {
  it('a new provider is not a step back; a lower CSN of a known one is', () => {
    expect(csnWentBack([CSN_A], [CSN_A, CSN_B_SID2])).toBe(false);
    expect(csnWentBack([CSN_B], [CSN_A])).toBe(true);
  });

  it('compares DNs as servers and operators spell them', () => {
    expect(isUnder('uid=a,OU=People, dc=Example,dc=test', 'ou=people,dc=example,dc=test')).toBe(true);
    expect(isUnder('uid=a,ou=Contractors,dc=example,dc=test', 'ou=people,dc=example,dc=test')).toBe(false);
    expect(isUnder('uid=a,ou=xpeople,dc=example,dc=test', 'ou=people,dc=example,dc=test')).toBe(false);
  });

  it('stores a listing in 22 characters a person and reads back the same set', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `1f418aa0-8553-1041-8088-${i.toString(16).padStart(12, '0')}`);
    const packed = packUuids([...ids].reverse());
    expect(packed.length).toBeLessThanOrEqual(Math.ceil((16 * 1000) / 3) * 4);
    expect(unpackUuids(packed)).toEqual(new Set(ids));
  });

  it('escapes filter specials in values', () => {
    expect(escapeFilterValue('a*b(c)\\d')).toBe('a\\2ab\\28c\\29\\5cd');
  });
});
