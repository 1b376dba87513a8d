/**
 * okta-poll's full resync in place (oktaPoll.ts, OktaPoller) against an unfinished full sync, with
 * the Okta fake and the RAM emulator: the watermark is stored only after a plan of okta's own, made
 * after the watermark was read, is applied to the end. The same entrance serves ad-, ldap- and
 * entra-poll (entrances.resync.test.ts is the use case's spec).
 */
import type { Identity } from '../../../functions/lib/core/model';
import { parseOktaSourceConfig } from '../../../functions/lib/sources/okta/config';
import { OktaApi } from '../../../functions/lib/sources/okta/OktaApi';
import { OktaSource } from '../../../functions/lib/sources/okta/OktaSource';
import type { OktaSourceConfig } from '../../../functions/lib/sources/okta/config';
import { fullSync } from '../../../functions/lib/sync/entrances';
import type { EngineEnvironment } from '../../../functions/lib/sync/environment';
import { FullSyncRuns } from '../../../functions/lib/sync/fullSyncRun';
import { parseFullSyncRequest } from '../../../functions/lib/sync/messages';
import { type OktaPollEnvironment, pollOkta } from '../../../functions/lib/sync/oktaPoll';
import { ArraySource } from '../../support/ArraySource';
import { engineOn } from '../../support/engine';
import { type OktaApiFake, oktaUser, startOktaApi } from '../../support/oktaApi';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const WATERMARK = 'okta/watermark';
const filePerson: Identity = { source: 'file', sourceId: 'f1', userName: 'file.one', displayName: 'File One', departmentIds: [], status: 'active' };
const noQueue = { publish: async () => [] };

describe('okta-poll\'s full resync and an unfinished full sync', () => {
  let h: RamHarness;
  let okta: OktaApiFake;
  let config: OktaSourceConfig;
  let environment: OktaPollEnvironment;
  const retry = { retry: { sleep: async () => undefined } };
  const run = (runId: string, pacing?: Parameters<typeof pollOkta>[2]['pacing']) => ({ runId, log: () => undefined, ...(pacing && { pacing }) });
  const oktaInRam = () => h.emulator.state.users().filter((u) => u.externalId?.startsWith('okta:')).length;
  /** A deadline reached once `steps` users were created (checked between chunks). */
  const stopAfter = (steps: number): { engine: EngineEnvironment; pacing: { deadline: number; now: () => number; chunkSteps: number } } => {
    let created = 0;
    const target = Object.create(h.ram) as EngineEnvironment['target'];
    target.createUser = async (user) => { const made = await h.ram.createUser(user); created++; return made; };
    return { engine: { ...environment.engine, target }, pacing: { deadline: 1, now: () => (created >= steps ? 10_000 : -10_000), chunkSteps: 2 } };
  };

  beforeEach(async () => {
    h = await startRamHarness();
    okta = await startOktaApi({ users: [1, 2, 3, 4].map((n) => oktaUser(n)) });
    config = parseOktaSourceConfig({ OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.apiToken, OKTA_DEPARTMENTS: 'attribute' })!;
    const source = new OktaSource(config, new OktaApi(config, retry));
    environment = { okta: config, api: retry, engine: engineOn(h, [source, new ArraySource('file', [filePerson])]) };
  });
  afterEach(async () => {
    await okta.close();
    await h.close();
  });

  it('a first poll while an all-sources run is unfinished: continues it, applies okta\'s own plan (a hire since), then stores the watermark', async () => {
    const stopped = stopAfter(2);
    const first = await fullSync(stopped.engine, parseFullSyncRequest({ dryRun: false }), { runId: 'all-1', log: () => undefined, pacing: stopped.pacing });
    expect(first.progress).toMatchObject({ done: 2, total: 5, finished: false });
    okta.addUser(oktaUser(5)); // after the old plan, before the poll reads its watermark

    const poll = await pollOkta(environment, noQueue, run('poll-1'));
    expect(poll).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll', fullSync: { runId: 'poll-1', progress: { finished: true, resumed: false } } });
    expect(oktaInRam()).toBe(5);
    expect(await h.state.get(WATERMARK)).toBeDefined();
    expect(await new FullSyncRuns(h.state).current()).toBeUndefined();
  });

  it('a resync stopped at its deadline fails the tick and stores no watermark; the next tick finishes it and then stores one', async () => {
    const stopped = stopAfter(2);
    await expect(pollOkta({ ...environment, engine: stopped.engine }, noQueue, run('poll-1', stopped.pacing)))
      .rejects.toMatchObject({ code: 'FullResyncUnfinished', retryable: true });
    expect(await h.state.get(WATERMARK)).toBeUndefined();
    expect(oktaInRam()).toBe(2);

    const next = await pollOkta(environment, noQueue, run('poll-2'));
    expect(next).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll', fullSync: { runId: 'poll-2', progress: { finished: true } } });
    expect(oktaInRam()).toBe(4);
    expect(await h.state.get(WATERMARK)).toBeDefined();
  });
});
