import { NotVisibleError } from '../../../../functions/lib/core/errors';
import type { ChangeBatch } from '../../../../functions/lib/core/model';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../../functions/lib/core/rules';
import { createFcQueue } from '../../../../functions/lib/queue/factory';
import { parseLarkSourceConfig } from '../../../../functions/lib/sources/lark/config';
import { parseLarkWebhookConfig } from '../../../../functions/lib/sources/lark/webhookConfig';
import { LarkApiError } from '../../../../functions/lib/sources/lark/errors';
import { type LarkSource, createLarkSource } from '../../../../functions/lib/sources/lark/LarkSource';
import { createLarkWebhook } from '../../../../functions/lib/sources/lark/webhook';
import { syncChanges } from '../../../../functions/lib/sync/changeSync';
import { captureLogger } from '../../fc/logSink';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import { ACTIVE, type LarkApiFake, larkRequest, larkUser, startLarkApi, v2Event } from '../../../support/larkApi';
import { type RamHarness, startRamHarness } from '../../../support/ramHarness';

const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const x of it) out.push(x); return out; };

describe('LarkSource', () => {
  let lark: LarkApiFake;
  const boss = larkUser(1, { department_ids: ['0'], name: '王芳', en_name: 'Fang Wang', enterprise_email: 'fang@mail.corp.example' });
  const dev = larkUser(2, { leader_user_id: boss.union_id, department_ids: ['od-eng', 'od-ops'], enterprise_email: undefined });
  const frozen = larkUser(3, { status: { ...ACTIVE, is_frozen: true } });
  const resigned = larkUser(4, { status: { ...ACTIVE, is_resigned: true } });
  beforeEach(async () => {
    lark = await startLarkApi({
      users: [boss, dev, frozen, resigned],
      departments: [
        { open_department_id: 'od-eng', department_id: 'eng', name: 'Engineering', parent_department_id: '0' },
        { open_department_id: 'od-ops', name: 'Ops', parent_department_id: 'od-eng' },
      ],
    });
  });
  afterEach(() => lark.close());

  const source = (env: Record<string, string> = {}): LarkSource => createLarkSource(
    parseLarkSourceConfig({ LARK_APP_ID: 'cli_fake_app', LARK_APP_SECRET: 'fake-app-secret', LARK_API_URL: lark.url, ...env })!,
    { retry: { sleep: async () => undefined } },
  );

  it('maps a Lark user onto an Identity keyed by union_id', async () => {
    expect(await source().getUser(dev.union_id)).toEqual({
      source: 'lark', sourceId: dev.union_id, userName: dev.user_id, displayName: dev.name, email: dev.email,
      mobile: dev.mobile, employeeId: dev.employee_no, title: dev.job_title, departmentIds: ['od-eng', 'od-ops'],
      status: 'active', managerId: boss.union_id,
      attributes: {
        union_id: dev.union_id, open_id: dev.open_id, user_id: dev.user_id!, en_name: dev.en_name!, email: dev.email!, activated: 'true',
      },
    });
  });

  it('prefers the enterprise mailbox as email, keeping both as attributes', async () => {
    const person = await source().getUser(boss.union_id);
    expect(person?.email).toBe('fang@mail.corp.example');
    expect(person?.attributes).toMatchObject({ email: boss.email, enterprise_email: 'fang@mail.corp.example' });
  });

  it('keys people and their manager by open_id or user_id when LARK_USER_ID_TYPE says so', async () => {
    expect(await source({ LARK_USER_ID_TYPE: 'open_id' }).getUser(dev.open_id)).toMatchObject({ sourceId: dev.open_id, managerId: boss.open_id });
    expect(await source({ LARK_USER_ID_TYPE: 'user_id' }).getUser('u2')).toMatchObject({ sourceId: 'u2', managerId: 'u1' });
  });

  it('reports frozen people as disabled, and resigned or unknown people as absent', async () => {
    expect((await source().getUser(frozen.union_id))?.status).toBe('disabled');
    expect(await source().getUser(resigned.union_id)).toBeUndefined();
    expect(await source().getUser('on_never_existed')).toBeUndefined();
  });

  it('reads departments, top-level ones without a parent, deleted ones absent', async () => {
    expect(await source().getDepartment('od-ops')).toEqual({ source: 'lark', sourceId: 'od-ops', name: 'Ops', parentId: 'od-eng' });
    expect(await source().getDepartment('od-eng')).toEqual({ source: 'lark', sourceId: 'od-eng', name: 'Engineering' });
    lark.departments.push({ open_department_id: 'od-old', name: 'Old', parent_department_id: '0', status: { is_deleted: true } });
    expect(await source().getDepartment('od-old')).toBeUndefined();
  });

  it('lists every department and every current person once (root members included)', async () => {
    const s = source();
    expect((await all(s.listDepartments())).map((d) => d.sourceId)).toEqual(['od-eng', 'od-ops']);
    const people = await all(s.listUsers());
    expect(people.map((p) => p.sourceId).sort()).toEqual([boss.union_id, dev.union_id, frozen.union_id].sort());
  });

  it('refuses to list people without the configured id rather than drop them', async () => {
    lark.users.push(larkUser(9, { user_id: undefined }));
    const error = await all(source({ LARK_USER_ID_TYPE: 'user_id' }).listUsers()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LarkApiError);
    expect((error as Error).message).toMatch(/contact:user\.employee_id:readonly/);
  });

  describe('the full path: Lark event → webhook → queue → push engine → RAM emulator', () => {
    let fc: FcInvokeServer;
    let ram: RamHarness;
    beforeEach(async () => {
      fc = await startFcInvokeServer();
      ram = await startRamHarness();
    });
    afterEach(async () => {
      await fc.close();
      await ram.close();
    });

    it('creates the RAM user for a created Lark user, and deletes it once Lark reports them resigned', async () => {
      const keys = { verificationToken: 'e2e-token', encryptKey: 'e2e-key' };
      const receive = createLarkWebhook(
        parseLarkWebhookConfig({ LARK_VERIFICATION_TOKEN: keys.verificationToken, LARK_ENCRYPT_KEY: keys.encryptKey }),
        {
          queue: createFcQueue({ kind: 'fc3', functionName: 'push', endpoint: fc.url }, {
            accountId: () => '1', region: () => 'cn-hangzhou', credentials: () => ({ accessKeyId: 'fc-test-akid', accessKeySecret: 'fc-test-secret' }),
          }),
          logger: captureLogger().log,
        },
      );
      const push = async () => {
        const batch = JSON.parse(fc.invocations.shift()!.body.toString('utf8')) as ChangeBatch;
        return syncChanges({
          target: ram.ram, state: ram.state, runId: 'e2e', log: () => undefined, sources: [source()], changes: batch.changes,
          settings: { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD },
        });
      };

      await receive({ method: 'POST', ...larkRequest(v2Event('contact.user.created_v3', { object: dev }, keys.verificationToken), keys) });
      await push();
      expect(ram.emulator.state.users()).toEqual([
        expect.objectContaining({ userName: 'user2', externalId: `lark:${dev.union_id}` }),
      ]);

      lark.users.find((u) => u.union_id === dev.union_id)!.status.is_resigned = true;
      await receive({ method: 'POST', ...larkRequest(v2Event('contact.user.deleted_v3', { object: { union_id: dev.union_id } }, keys.verificationToken), keys) });
      await push();
      expect(ram.emulator.state.users()).toEqual([]);
    });
  });
});

describe('LarkSource.listDepartmentMembers', () => {
  let lark: LarkApiFake;
  // Engineering → Platform → Storage, and Sales beside them; person 2 sits in Engineering and Storage.
  const departments = [
    { open_department_id: 'od-eng', name: 'Engineering', parent_department_id: '0' },
    { open_department_id: 'od-plat', name: 'Platform', parent_department_id: 'od-eng' },
    { open_department_id: 'od-stor', name: 'Storage', parent_department_id: 'od-plat' },
    { open_department_id: 'od-sales', name: 'Sales', parent_department_id: '0' },
  ];
  const people = [
    larkUser(1, { department_ids: ['0'] }),
    larkUser(2, { department_ids: ['od-eng', 'od-stor'] }),
    ...[3, 4, 5, 6].map((n) => larkUser(n, { department_ids: ['od-plat'] })),
    ...[7, 8, 9].map((n) => larkUser(n, { department_ids: ['od-stor'] })),
    larkUser(10, { department_ids: ['od-sales'] }),
    larkUser(11, { department_ids: ['od-stor'], status: { ...ACTIVE, is_resigned: true } }),
  ];
  beforeEach(async () => { lark = await startLarkApi({ users: structuredClone(people), departments: structuredClone(departments) }); });
  afterEach(() => lark.close());

  const source = (pageSize = 2) => createLarkSource(
    parseLarkSourceConfig({ LARK_APP_ID: 'cli_fake_app', LARK_APP_SECRET: 'fake-app-secret', LARK_API_URL: lark.url, LARK_USER_ID_TYPE: 'user_id' })!,
    { retry: { sleep: async () => undefined }, pageSize },
  );
  const members = async (id: string, s = source()) => {
    const listing = await s.listDepartmentMembers(id);
    return listing && (await all(listing)).map((p) => p.sourceId).sort();
  };

  it('lists the department and all below it, each current person once, across pages', async () => {
    expect(await members('od-eng')).toEqual(['u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9']);
    // Direct members by 2 a page: Engineering 1, Platform 2, Storage 2 (u2 again, u7–u9).
    expect(lark.calls['GET /contact/v3/users/find_by_department']).toBe(5);
    expect(await members('od-stor')).toEqual(['u2', 'u7', 'u8', 'u9']);
    expect(await members('0')).toHaveLength(10);
  });

  it('follows a moved department and reads a renamed one', async () => {
    lark.moveDepartment('od-plat', 'od-sales');
    expect(await members('od-sales')).toEqual(['u10', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9']);
    expect(await members('od-eng')).toEqual(['u2']);
    lark.renameDepartment('od-plat', 'Platform Sales');
    expect(await source().getDepartment('od-plat')).toMatchObject({ name: 'Platform Sales', parentId: 'od-sales' });
  });

  it('answers undefined for a deleted department and for one Lark never had', async () => {
    expect(() => lark.deleteDepartment('od-sales')).toThrow(/has users/);
    lark.users.find((u) => u.user_id === 'u10')!.department_ids = ['0'];
    lark.deleteDepartment('od-sales');
    expect(await source().listDepartmentMembers('od-sales')).toBeUndefined();
    expect(await source().listDepartmentMembers('od-never')).toBeUndefined();
  });

  it('reports a department outside the contact scope as not visible', async () => {
    lark.outOfScope.add('od-plat');
    await expect(source().listDepartmentMembers('od-plat')).rejects.toBeInstanceOf(NotVisibleError);
  });

  it('recovers from a revoked token and rate limits in the middle of a listing', async () => {
    const listing = (await source().listDepartmentMembers('od-eng'))![Symbol.asyncIterator]();
    const first = await listing.next();
    lark.revokeTokens();
    lark.rateLimitNext(2, { resetSeconds: 0 });
    const rest: string[] = [];
    for (let next = await listing.next(); !next.done; next = await listing.next()) rest.push(next.value.sourceId);
    expect([first.value!.sourceId, ...rest]).toHaveLength(8);
    expect(lark.tokensIssued).toBe(2);
  });

  it('reads a 500-person department over sub-departments in 15 calls', async () => {
    await lark.close();
    const tree = [['od-s', '0'], ['od-e', 'od-s'], ['od-w', 'od-s'], ['od-e1', 'od-e']]
      .map(([id, parent]) => ({ open_department_id: id!, name: id!, parent_department_id: parent! }));
    const staff = Array.from({ length: 500 }, (_, i) => larkUser(100 + i, { department_ids: [tree[i % 4]!.open_department_id] }));
    lark = await startLarkApi({ users: staff, departments: tree });
    expect(await members('od-s', source(50))).toHaveLength(500);
    // token, department, children (one page), 4 × 125 people by 50 a page = 4 × 3.
    expect(Object.values(lark.calls).reduce((a, b) => a + b, 0)).toBe(1 + 1 + 1 + 12);
  });
});
