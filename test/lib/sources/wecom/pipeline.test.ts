/**
 * The whole WeCom path on loopback: a callback built by `@wecom/crypto` → the webhook → FC's
 * invoke API (local) → the queued batch → push's engine reading the WeCom fake → the RAM emulator.
 * A rename (NewUserID) must move the same RAM user, never create a second one.
 */
import type { ProvisioningLogLine } from '../../../../functions/lib/core/ports';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../../functions/lib/core/rules';
import { createWecomSource } from '../../../../functions/lib/sources/wecom/WecomSource';
import { syncChanges } from '../../../../functions/lib/sync/changeSync';
import { parseChangeBatch } from '../../../../functions/lib/sync/messages';
import { type RamHarness, startRamHarness } from '../../../support/ramHarness';
import { type WecomApiFake, startWecomApi } from '../../../support/wecomApi';
import { type CallbackHarness, startCallbackHarness } from './harness';
import { contactEvent, eventPost } from './oracle';

describe('WeCom callback → queue → push → RAM', () => {
  let wecom: WecomApiFake;
  let webhook: CallbackHarness;
  let ram: RamHarness;
  let lines: ProvisioningLogLine[];

  beforeEach(async () => {
    [wecom, webhook, ram] = await Promise.all([startWecomApi(), startCallbackHarness(), startRamHarness()]);
    wecom.departments.set(1, { id: 1, name: 'Corp', parentid: 0 });
    lines = [];
  });
  afterEach(() => Promise.all([wecom.close(), webhook.close(), ram.close()]));

  /** WeCom calls the webhook; then push consumes whatever was enqueued since. */
  const deliver = async (fields: Record<string, string>) => {
    const before = webhook.fc.invocations.length;
    const { url, body } = eventPost(contactEvent(fields));
    expect((await webhook.send('POST', url, body)).status).toBe(200);
    const source = createWecomSource({ corpId: wecom.corpId, secret: wecom.secret, apiUrl: wecom.url });
    for (const invocation of webhook.fc.invocations.slice(before)) {
      const batch = parseChangeBatch(JSON.parse(invocation.body.toString('utf8')));
      const report = await syncChanges({
        changes: batch.changes, sources: [source], target: ram.ram, state: ram.state, changeId: batch.id, runId: 'push',
        settings: { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD },
        log: (line) => lines.push(line),
      });
      expect(report.result.summary.failed).toBe(0);
    }
  };

  it('creates, renames in place, and deletes the RAM user of a WeCom member', async () => {
    wecom.users.set('zhangsan', { userid: 'zhangsan', name: '张三', department: [1], status: 1 });
    await deliver({ ChangeType: 'create_user', UserID: 'zhangsan', Department: '1' });
    const created = ram.emulator.state.users();
    expect(created).toEqual([expect.objectContaining({ userName: 'zhangsan', displayName: '张三', externalId: 'wecom:zhangsan' })]);

    wecom.renameUser('zhangsan', 'zhang.san');
    await deliver({ ChangeType: 'update_user', UserID: 'zhangsan', NewUserID: 'zhang.san' });
    const renamed = ram.emulator.state.users();
    expect(renamed).toHaveLength(1);
    expect(renamed[0]).toMatchObject({ id: created[0]!.id, userName: 'zhang.san', externalId: 'wecom:zhang.san' });
    expect(lines).toContainEqual(expect.objectContaining({ action: 'rekey', status: 'succeeded', externalId: 'wecom:zhang.san' }));

    // Redelivered (WeCom retries on timeouts): converges to the same state.
    await deliver({ ChangeType: 'update_user', UserID: 'zhangsan', NewUserID: 'zhang.san' });
    expect(ram.emulator.state.users()).toEqual(renamed);

    wecom.users.delete('zhang.san');
    await deliver({ ChangeType: 'delete_user', UserID: 'zhang.san' });
    expect(ram.emulator.state.users()).toEqual([]);
  });

  it('deprovisions a member whose update says they exited (Status 5)', async () => {
    wecom.users.set('lisi', { userid: 'lisi', name: '李四', department: [1], status: 1 });
    await deliver({ ChangeType: 'create_user', UserID: 'lisi' });
    expect(ram.emulator.state.users()).toHaveLength(1);
    wecom.users.set('lisi', { userid: 'lisi', name: '李四', department: [1], status: 5 });
    await deliver({ ChangeType: 'update_user', UserID: 'lisi', Status: '5' });
    expect(ram.emulator.state.users()).toEqual([]);
  });
});
