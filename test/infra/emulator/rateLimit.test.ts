/**
 * The emulator's account-wide flow control: one budget of requests per second for SCIM and the
 * OpenAPI together, answered the way RAM answers it (OpenAPI `Throttling.User` with HTTP 400 and
 * `x-acs-retry-after` in ms, SCIM 429 with `Retry-After` in s), counted, and never applied.
 * The clock is frozen, so "this second" is exact.
 */
import * as $Ram from '@alicloud/ram20150501';
import { ThrottlingError } from '@alicloud/openapi-core';
import { InvalidRateLimitError } from '../../../infra/emulator/accountRate';
import { startRamEmulator, type RunningEmulator } from '../../../infra/emulator/RamEmulator';
import { ramClient, scim, scimToken, scimUser, sdkError } from './helpers';

describe('RAM emulator account-wide rate limit', () => {
  let emu: RunningEmulator;
  let now = 0;
  let token: string;
  beforeEach(async () => {
    now = 0;
    emu = await startRamEmulator({ rateLimit: { requestsPerSecond: 4, now: () => now } });
    token = await scimToken(emu); // OAuth is another service: not counted
    emu.state.createGroup('dev', '');
  });
  afterEach(() => emu.close());

  const listUsers = () => scim(emu, token, 'GET', '/Users');
  const listGroups = () => ramClient(emu).listGroups(new $Ram.ListGroupsRequest({}));

  it('admits a second\'s worth across SCIM and OpenAPI together, then answers like RAM', async () => {
    expect((await listUsers()).status).toBe(200);
    expect((await listUsers()).status).toBe(200);
    await listGroups();
    await listGroups();

    const refused = await listUsers();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    const err = await sdkError(listGroups());
    expect(err).toBeInstanceOf(ThrottlingError);
    expect(err).toMatchObject({ code: 'Throttling.User', statusCode: 400, retryAfter: 250 });

    expect(emu.counters.throttled).toBe(2);
    expect(emu.counters.reads).toBe(4);
  });

  it('refills at the configured rate', async () => {
    for (let i = 0; i < 4; i++) expect((await listUsers()).status).toBe(200);
    expect((await listUsers()).status).toBe(429);
    now += 500; // two more requests' worth
    expect((await listUsers()).status).toBe(200);
    expect((await listUsers()).status).toBe(200);
    expect((await listUsers()).status).toBe(429);
    now += 10_000; // the bucket holds one second's worth, not ten
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await listUsers()).status);
    expect(answers).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('never applies a refused write', async () => {
    for (let i = 0; i < 4; i++) await listUsers();
    expect((await scim(emu, token, 'POST', '/Users', scimUser('bob', 'Bob', 'ad:bob'))).status).toBe(429);
    expect(emu.state.userByName('bob')).toBeUndefined();
    expect(emu.counters.writes).toBe(0);
    now += 1000;
    expect((await scim(emu, token, 'POST', '/Users', scimUser('bob', 'Bob', 'ad:bob'))).status).toBe(201);
  });

  it('can be lifted and set again; a bad rate is refused', async () => {
    for (let i = 0; i < 4; i++) await listUsers();
    emu.setRateLimit(undefined);
    for (let i = 0; i < 10; i++) expect((await listUsers()).status).toBe(200);
    emu.setRateLimit({ requestsPerSecond: 1, now: () => now });
    expect((await listUsers()).status).toBe(200);
    expect((await listUsers()).status).toBe(429);
    expect(() => emu.setRateLimit({ requestsPerSecond: 0 })).toThrow(InvalidRateLimitError);
  });
});
