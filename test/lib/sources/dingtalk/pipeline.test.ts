/**
 * The whole DingTalk path on loopback: a signed callback into the real webhook handler, the batch
 * through FC's async invoke API (local server), `push`'s engine reading DingTalk (the API fake)
 * and writing RAM (the emulator).
 */
import type { FcContext, FcHttpEvent, FcHttpResult } from '../../../../functions/lib/fc/types';
import { buildFcHttpEvent, decodeFcHttpResult } from '../../../../functions/lib/fc/httpEvent';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../../functions/lib/core/rules';
import { createDingtalkSource } from '../../../../functions/lib/sources/dingtalk';
import { pushBatch } from '../../../../functions/lib/sync/push';
import type { EngineEnvironment } from '../../../../functions/lib/sync/environment';
import { parseChangeBatch } from '../../../../functions/lib/sync/messages';
import { type DingtalkApiFake, startDingtalkApi } from '../../../support/dingtalkApi';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import { type RamHarness, startRamHarness } from '../../../support/ramHarness';
import { checkAck, dingtalkCallback, WEBHOOK_ENV } from './callbacks';
import { DEPARTMENTS, USERS } from './directory';
import { parseFullSyncPacing } from '../../../../functions/lib/sync/fullSyncConfig';

type Handler = (event: FcHttpEvent, context: FcContext) => Promise<FcHttpResult>;
const CREDENTIALS = { accessKeyId: 'pipe-akid', accessKeySecret: 'pipe-secret' };

describe('DingTalk callback → queue → push → RAM', () => {
  let fc: FcInvokeServer;
  let dingtalk: DingtalkApiFake;
  let ram: RamHarness;
  let handler: Handler;
  let engine: EngineEnvironment;
  const saved = { ...process.env };

  beforeAll(async () => {
    fc = await startFcInvokeServer(CREDENTIALS);
    Object.assign(process.env, WEBHOOK_ENV, { QUEUE_KIND: 'fc3', FC_INVOKE_ENDPOINT: fc.url, PUSH_FUNCTION_NAME: 'push', LOG_LEVEL: 'error' });
    jest.isolateModules(() => {
      ({ handler } = require('../../../../functions/dingtalk-webhook/index') as { handler: Handler });
    });
  });
  afterAll(async () => {
    process.env = saved;
    await fc.close();
  });
  beforeEach(async () => {
    dingtalk = await startDingtalkApi({ users: USERS, departments: DEPARTMENTS, tokenTtlSeconds: 7200 });
    ram = await startRamHarness();
    const source = createDingtalkSource({ appKey: 'dingappkey0001', appSecret: 'app-secret-0001', apiUrl: dingtalk.url }, { retry: { sleep: async () => {} } });
    engine = {
      settings: { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD },
      sources: [source], state: ram.state, target: ram.ram, pacing: parseFullSyncPacing({}),
    };
  });
  afterEach(async () => {
    await ram.close();
    await dingtalk.close();
  });

  /** Posts the callback, then runs `push` on every batch it enqueued. */
  const deliver = async (event: object) => {
    const cb = dingtalkCallback(event, { spelling: 'msg' });
    const before = fc.invocations.length;
    const result = decodeFcHttpResult(await handler(buildFcHttpEvent({ method: 'POST', url: cb.url, body: cb.body }), {
      requestId: 'req-pipe', accountId: '1234567890', region: 'cn-hangzhou', credentials: CREDENTIALS,
    }));
    expect(result.status).toBe(200);
    checkAck(JSON.parse(result.body.toString('utf8')));
    for (const invocation of fc.invocations.slice(before)) {
      await pushBatch(engine, parseChangeBatch(JSON.parse(invocation.body.toString('utf8'))), { runId: 'push-1', log: () => {} });
    }
  };
  const ramUsers = () => ram.emulator.state.users().map((u) => [u.userName, u.externalId]).sort();

  it('creates the RAM users a join names, and deletes them when they leave', async () => {
    await deliver({ EventType: 'user_add_org', TimeStamp: '1640921671286', UserId: ['eng0', 'manager164'] });
    // The default rules name users after the mailbox (org_email fang.wang@…), not the userid.
    expect(ramUsers()).toEqual([['eng0', 'dingtalk:eng0'], ['fang.wang', 'dingtalk:manager164']]);

    dingtalk.users.delete('eng0');
    dingtalk.expireTokens();
    dingtalk.failNext(1, 90002);
    await deliver({ EventType: 'user_leave_org', eventId: 'ev-2', userId: ['eng0'] });
    expect(ramUsers()).toEqual([['fang.wang', 'dingtalk:manager164']]);
  });
});
