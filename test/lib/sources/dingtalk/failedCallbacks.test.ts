/**
 * The failed-callback poll against the DingTalk API fake, publishing through the real FC queue
 * adapter to the local FC invoke server: entries enqueued, pages followed, entries without ids
 * logged and skipped, and a refused page logged by its change ids.
 */
import type { Change } from '../../../../functions/lib/core/model';
import { createFcQueue } from '../../../../functions/lib/queue/factory';
import { DingtalkApi } from '../../../../functions/lib/sources/dingtalk/DingtalkApi';
import { enqueueFailedCallbacks } from '../../../../functions/lib/sources/dingtalk/failedCallbacks';
import { type DingtalkApiFake, startDingtalkApi } from '../../../support/dingtalkApi';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import { captureLogger } from '../../fc/logSink';

const CREDENTIALS = { accessKeyId: 'poll-akid', accessKeySecret: 'poll-secret' };
const leave = (...userid: string[]) => ({ call_back_tag: 'user_leave_org', event_time: 1764316800000, user_leave_org: { corpid: 'dingcorp', userid } });

describe('enqueueFailedCallbacks', () => {
  let dingtalk: DingtalkApiFake;
  let fc: FcInvokeServer;
  beforeEach(async () => {
    dingtalk = await startDingtalkApi({ failedCallbackPageSize: 2 });
    fc = await startFcInvokeServer(CREDENTIALS);
  });
  afterEach(async () => {
    await dingtalk.close();
    await fc.close();
  });

  const run = (options: { maxPages?: number } = {}) => {
    const logs = captureLogger();
    const api = new DingtalkApi({ baseUrl: dingtalk.url, appKey: 'dingappkey0001', appSecret: 'app-secret-0001', retry: { sleep: async () => {} } });
    const queue = createFcQueue({ kind: 'fc3', functionName: 'push', endpoint: fc.url }, {
      accountId: () => '1234567890', region: () => 'cn-hangzhou', credentials: () => CREDENTIALS, publish: { retryDelayMs: 1, attempts: 1 },
    });
    return { logs, result: enqueueFailedCallbacks({ api, queue, log: logs.log, ...options }) };
  };
  const queued = (): Change[] => fc.invocations.flatMap((i) => (JSON.parse(i.body.toString('utf8')) as { changes: Change[] }).changes);

  it('enqueues the people and departments of every page, following has_more, and empties the list', async () => {
    dingtalk.failedCallbacks.push(
      leave('u-1', 'u-2'),
      { call_back_tag: 'user_modify_org', event_time: 1, user_modify_org: { UserId: ['u-3'] } },
      { call_back_tag: 'org_dept_create', event_time: 2, org_dept_create: { deptid: [42] } },
      { call_back_tag: 'label_conf_add', event_time: 3, label_conf_add: { LabelIdList: [1] } },
      leave('u-4'),
    );
    const { result } = run();
    expect(await result).toEqual({ pages: 3, entries: 5, changes: 5, skipped: 0, ignored: 1, more: false });
    expect(queued()).toEqual([
      { source: 'dingtalk', kind: 'user', sourceId: 'u-1', reason: 'user_leave_org' },
      { source: 'dingtalk', kind: 'user', sourceId: 'u-2', reason: 'user_leave_org' },
      { source: 'dingtalk', kind: 'user', sourceId: 'u-3', reason: 'user_modify_org' },
      { source: 'dingtalk', kind: 'group', sourceId: '42', reason: 'org_dept_create' },
      { source: 'dingtalk', kind: 'user', sourceId: 'u-4', reason: 'user_leave_org' },
    ]);
    expect(dingtalk.failedCallbacks).toEqual([]);
  });

  it('logs and skips entries without ids or with malformed ones, enqueuing the rest', async () => {
    dingtalk.failedCallbacks.push(
      { call_back_tag: 'user_add_org', event_time: 7, user_add_org: { corpid: 'dingcorp' } },
      { call_back_tag: 'user_add_org', event_time: 8 },
      { event_time: 9 },
      { call_back_tag: 'user_add_org', event_time: 10, user_add_org: { userid: [{ nested: true }] } },
      leave('u-5'),
    );
    const { result, logs } = run();
    expect(await result).toMatchObject({ entries: 5, changes: 1, skipped: 4 });
    expect(queued().map((c) => c.sourceId)).toEqual(['u-5']);
    const skipped = logs.lines.filter((l) => l.msg === 'dingtalk failed callback skipped');
    expect(skipped.map((l) => [l.level, l.tag, l.eventTime])).toEqual([
      ['warn', 'user_add_org', 7], ['warn', 'user_add_org', 8], ['warn', undefined, 9], ['warn', 'user_add_org', 10],
    ]);
  });

  it('stops at the page the queue refused, logging its change ids, and leaves the rest on DingTalk\'s list', async () => {
    dingtalk.failedCallbacks.push(leave('u-1'), leave('u-2'), leave('u-3'), leave('u-4'));
    fc.failNext(1, 500);
    const { result, logs } = run();
    await expect(result).rejects.toThrow(/publishing to FC function push failed/);
    expect(fc.invocations).toHaveLength(0);
    const [line, ...more] = logs.lines.filter((l) => l.msg === 'changes not enqueued');
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 'error', changes: [
      { source: 'dingtalk', kind: 'user', sourceId: 'u-1', reason: 'user_leave_org' },
      { source: 'dingtalk', kind: 'user', sourceId: 'u-2', reason: 'user_leave_org' },
    ] });
    expect(dingtalk.failedCallbacks).toHaveLength(2);
  });

  it('reads at most maxPages a tick, and says more are waiting', async () => {
    dingtalk.failedCallbacks.push(leave('u-1'), leave('u-2'), leave('u-3'));
    expect(await run({ maxPages: 1 }).result).toMatchObject({ pages: 1, changes: 2, more: true });
    expect(dingtalk.failedCallbacks).toHaveLength(1);
  });

});
