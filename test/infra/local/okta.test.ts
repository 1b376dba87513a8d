/**
 * Okta's whole path on the local stack, every part a built bundle: a change at the local Okta → an
 * okta-poll tick (users by lastUpdated, deletions and membership from the System Log) → FC's async
 * invoke API → the durable queue → push, reading the person from Okta → RAM (the emulator). The
 * service app's private_key_jwt token; departments from groups, so a group rule follows membership.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import type { OktaPollResult } from '../../../functions/lib/sync/oktaPoll';
import { type OktaApiFake, oktaGroupId, oktaUser, startOktaApi } from '../../support/oktaApi';

const GROUP = 'eng-team';

describe('Okta on the local stack', () => {
  let dir: string;
  let stack: LocalStack;
  let okta: OktaApiFake;
  const U = (n: number) => oktaUser(n).id;
  const externalId = (n: number) => `okta:${U(n)}`;
  const ram = () => stack.emulator!.state;
  const tick = async () => {
    const result = await stack.tick('okta-poll') as OktaPollResult;
    await stack.idle(60_000);
    return result;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'okta-'));
    const directory = path.join(dir, 'directory.json');
    await writeFile(directory, JSON.stringify({ departments: [], people: [] }));
    okta = await startOktaApi({
      users: [1, 2, 3, 4].map((n) => oktaUser(n)),
      groups: [{ group: { id: oktaGroupId(1), name: 'Engineering' }, members: [U(1)] }],
    });
    stack = await startLocalStack({
      env: {
        ...process.env, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: directory, RAM_OAUTH_CLIENT_ID: '',
        OKTA_ORG_URL: okta.url, OKTA_CLIENT_ID: okta.clientId, OKTA_PRIVATE_KEY: okta.privateKeyPem, SYNC_GROUP_RULES: `Engineering=${GROUP}`,
        // Five people: the default 10% would hold the second deletion (the safeguard has its own specs).
        SAFEGUARD_MAX_DELETE_PERCENT: '100',
      },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20,
      // Ticked by the test, not by the clock.
      timers: { 'okta-poll': { triggerName: 'every-5m', everyMs: 3_600_000 } },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await okta?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the first tick syncs everyone in place (a full sync of the okta source) and fills the group', async () => {
    expect(stack.timers).toContain('okta-poll');
    const first = await tick();
    expect(first).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll', fullSync: { result: { created: 4, failed: 0 } } });
    for (const n of [1, 2, 3, 4]) expect(ram().userByExternalId(externalId(n))).toMatchObject({ userName: `user${n}`, displayName: `User ${n}` });
    expect(ram().usersForGroup(GROUP).map((m) => m.user.externalId)).toEqual([externalId(1)]);
  }, 90_000);

  it('a rename and a new person at Okta reach RAM through one poll, the queue and push', async () => {
    okta.updateUser(U(2), { profile: { displayName: 'Second Person' } });
    okta.addUser(oktaUser(5));
    expect(await tick()).toMatchObject({ mode: 'incremental', usersRead: 2, changes: 2 });
    expect(ram().userByExternalId(externalId(2))).toMatchObject({ displayName: 'Second Person' });
    expect(ram().userByExternalId(externalId(5))).toMatchObject({ userName: 'user5' });
  }, 90_000);

  it('joining and leaving a group (System Log) moves people in and out of the RAM group', async () => {
    okta.addMember(oktaGroupId(1), U(5));
    okta.removeMember(oktaGroupId(1), U(1));
    // (Ticks here are seconds apart, so each also re-reads the last one's changes: the overlap window.)
    expect(await tick()).toMatchObject({ mode: 'incremental', logEvents: 2 });
    expect(ram().usersForGroup(GROUP).map((m) => m.user.externalId)).toEqual([externalId(5)]);
  }, 90_000);

  it('a deactivated (DEPROVISIONED) and a deleted user are deprovisioned; the 429 on the way is waited out', async () => {
    okta.deleteUser(U(3)); // deactivated
    okta.deleteUser(U(4));
    okta.deleteUser(U(4)); // deleted for good: only the System Log shows it
    okta.rateLimitNext(1, { resetSeconds: 1 });
    expect(await tick()).toMatchObject({ mode: 'incremental', logEvents: 3 }); // deactivate ×2, delete.initiated
    expect(ram().userByExternalId(externalId(3))).toBeUndefined();
    expect(ram().userByExternalId(externalId(4))).toBeUndefined();
    expect(ram().userByExternalId(externalId(2))).toBeDefined();
  }, 90_000);
});
