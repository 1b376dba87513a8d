/**
 * The burst that used to delete everyone it named, now held: on the local stack (built bundles, FC's
 * invoke API, the durable queue, the RAM emulator) against a DingTalk API fake, 200 people synced,
 * then 60 of them removed at the source and 60 signed `user_leave_org` callbacks sent at once.
 * The deletion budget lets 20 through and stages the other 40 on the held list; the operator sees
 * them with `npm run sync -- --held` (locally, and through the deployed function with --remote) and
 * `--release` deletes them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { HeldEntry } from '../../../functions/lib/core/safeguard';
import type { ReleaseResult } from '../../../functions/lib/sync/release';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import { type DingtalkApiFake, startDingtalkApi } from '../../support/dingtalkApi';
import { DINGTALK_KEYS, WEBHOOK_ENV, dingtalkCallback } from '../../lib/sources/dingtalk/callbacks';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const userid = (i: number) => `u${String(i).padStart(3, '0')}`;

describe('a burst of leave callbacks on the local stack', () => {
  let dir: string;
  let stack: LocalStack;
  let dingtalk: DingtalkApiFake;
  const dingtalkEnv = () => ({ ...WEBHOOK_ENV, DINGTALK_APP_SECRET: 'app-secret-0001', DINGTALK_API_URL: dingtalk.url });
  /** `npm run sync -- …` as the operator runs it, against the stack's state directory and emulator. */
  const sync = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const env = {
      ...process.env, STATE_DIR: stack.stateDir, EMULATOR_URL: stack.ramUrl, RAM_OAUTH_CLIENT_ID: '', DIRECTORY_FILE: stack.directoryFile,
      ...dingtalkEnv(), ...extra,
    };
    try {
      const { stdout } = await run(tsx, [path.join(root, 'infra/cli/sync.ts'), ...args], { env, cwd: root });
      return { code: 0, out: stdout };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };
  const remote = () => ({
    FC_INVOKE_ENDPOINT: stack.url, FULL_SYNC_FUNCTION_NAME: 'full-sync',
    ALIBABA_CLOUD_ACCESS_KEY_ID: stack.credentials.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: stack.credentials.accessKeySecret,
  });
  const inRam = () => stack.emulator!.state.users().filter((u) => u.externalId?.startsWith('dingtalk:')).map((u) => u.externalId!);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'burst-'));
    dingtalk = await startDingtalkApi({
      appKey: DINGTALK_KEYS.appKey,
      users: Array.from({ length: 200 }, (_, i) => ({
        userid: userid(i), name: `Person ${i}`, email: `person.${i}@example.cn`, dept_id_list: [1], active: true,
      })),
    });
    stack = await startLocalStack({
      env: { ...process.env, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: '', RAM_OAUTH_CLIENT_ID: '', ...dingtalkEnv() },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20,
    });
  }, 90_000);
  afterAll(async () => {
    await stack.stop();
    await dingtalk.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('syncs the 200 people (and the shipped sample) with a full sync', async () => {
    const first = await stack.fullSync({ dryRun: false });
    expect(first.result).toMatchObject({ failed: 0, staged: 0 });
    expect(inRam()).toHaveLength(200);
  }, 60_000);

  it('deletes at most 20 of 60 leavers sent within a second and holds the other 40', async () => {
    for (let i = 0; i < 60; i++) dingtalk.users.delete(userid(i));
    const callbacks = Array.from({ length: 60 }, (_, i) => dingtalkCallback({ EventType: 'user_leave_org', UserId: [userid(i)], TimeStamp: String(Date.now()) }));
    const answers = await Promise.all(callbacks.map((c) => fetch(`${stack.url}${c.url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: c.body })));
    expect(answers.map((a) => a.status)).toEqual(Array(60).fill(200));
    await stack.idle(60_000);

    const left = new Set(inRam());
    const deleted = Array.from({ length: 60 }, (_, i) => `dingtalk:${userid(i)}`).filter((id) => !left.has(id));
    expect(deleted).toHaveLength(20);
    expect(left.size).toBe(180);
  }, 90_000);

  it('shows the other 40 on the held list, with who, since when and why, locally and through the deployed function', async () => {
    const local = await sync(['--held', '--json']);
    expect(local.code).toBe(0);
    const held = JSON.parse(local.out) as HeldEntry[];
    expect(held).toHaveLength(40);
    expect(new Set(held.map((e) => e.externalId))).toEqual(new Set(inRam().filter((id) => Number(id.slice(10)) < 60)));
    for (const entry of held) {
      expect(entry).toMatchObject({
        action: 'delete', source: 'dingtalk', path: 'push', userName: expect.stringMatching(/^person\.\d+$/),
        since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), reason: expect.stringMatching(/exceed the limits|held list is not empty/),
        stepReason: expect.stringMatching(/absent at the source/), changeId: expect.any(String),
      });
    }

    const table = await sync(['--held']);
    expect(table.out).toMatch(/SINCE\s+ACTION\s+USER\s+EXTERNAL ID\s+STAGED BY\s+WHY/);
    expect(table.out).toMatch(/40 held\. Release: npm run sync -- --release/);
    expect(table.out).not.toMatch(/@example\.cn/);

    const viaFc = await sync(['--held', '--json', '--remote'], remote());
    expect(viaFc.code).toBe(0);
    expect(JSON.parse(viaFc.out)).toEqual(held);
  }, 60_000);

  it('releases one person through the deployed function, then the rest locally with --release all', async () => {
    const [first] = JSON.parse((await sync(['--held', '--json'])).out) as HeldEntry[];
    const one = await sync(['--release', first!.externalId, '--json', '--remote'], remote());
    expect(one.code).toBe(0);
    const released = JSON.parse(one.out) as ReleaseResult;
    expect(released).toMatchObject({ summary: { deleted: 1, failed: 0 }, stillHeld: 39, unknown: [] });
    expect(inRam()).not.toContain(first!.externalId);

    const rest = await sync(['--release', 'all']);
    expect(rest.code).toBe(0);
    expect(rest.out).toMatch(/release .*: created 0, updated 0, deprovisioned 39 \(deleted 39, suspended 0\).*; 0 still held/);
    expect(inRam()).toHaveLength(140);
    expect(JSON.parse((await sync(['--held', '--json'])).out)).toEqual([]);
  }, 90_000);

  it('refuses a release naming someone not held, and --remote without credentials names the variables', async () => {
    const unknown = await sync(['--release', 'dingtalk:nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(/not on the held list: dingtalk:nobody/);
    const noCreds = await sync(['--held', '--remote'], { ALIBABA_CLOUD_ACCESS_KEY_ID: '', ALIBABA_CLOUD_ACCESS_KEY_SECRET: '', FC_INVOKE_ENDPOINT: '' });
    expect(noCreds.code).toBe(1); // a configuration error, not a usage error: the reason and its fix, no usage text
    expect(noCreds.out).toMatch(/ALIBABA_CLOUD_ACCESS_KEY_ID.*FC_ACCOUNT_ID/s);
  }, 60_000);
});
