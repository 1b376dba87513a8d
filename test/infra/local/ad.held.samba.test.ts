/**
 * AD's full resync under the deletion safeguard, on the local stack with every part real: a Samba
 * AD DC, the built `ad-poll` bundle, FC's invoke API into the durable queue, the built `push` bundle
 * and RAM (the emulator). The budget is one deprovision; the directory loses three people at once
 * and a full resync finds them. Its held plan must be on the held list before the USN watermark
 * moves: afterwards those people's changes reach `push` one at a time, and each of those alone
 * would fit the budget.
 *
 * Needs the Samba AD DC (`samba-ad-harness.sh start`) and AD_TEST_URL; skipped otherwise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import type { HeldEntry } from '../../../functions/lib/core/safeguard';
import { DEFAULT_STATE_PREFIX } from '../../../functions/lib/sources/ad/UsnPoller';
import type { UsnWatermark } from '../../../functions/lib/sources/ad/watermark';
import { FileStateStore } from '../../../functions/lib/state';
import type { AdPollResult } from '../../../functions/lib/sync/adPoll';
import { HeldList } from '../../../functions/lib/sync/heldList';
import { AD_HOOK_TIMEOUT_MS, adTestConfig, adTestUrl, SambaAdFixtures } from '../../support/sambaAd';

const describeAd = adTestUrl ? describe : describe.skip;
const WATERMARK = `${DEFAULT_STATE_PREFIX}watermark`;

describeAd('AD: a held full resync puts its people on the held list before the watermark moves (Samba AD DC)', () => {
  let dir: string;
  let fx: SambaAdFixtures;
  let stack: LocalStack;
  let state: FileStateStore;
  // ann will be deleted, ben and cat disabled, dan stays until the last steps.
  const people = {} as Record<'ann' | 'ben' | 'cat' | 'dan', { dn: string; guid: string; id: string }>;

  const poll = async (): Promise<AdPollResult> => {
    const result = await stack.tick('ad-poll') as AdPollResult;
    await stack.idle();
    return result;
  };
  const ram = (who: keyof typeof people) => stack.emulator!.state.userByExternalId(people[who].id);
  const keyStatus = (who: keyof typeof people) => stack.emulator!.state.accessKeysOf(ram(who)!.userName).map((k) => k.status);
  const held = () => new HeldList(state).entries();
  const heldById = async () => new Map((await held()).map((e) => [e.externalId, e]));
  const heldIds = async () => (await held()).map((e) => e.externalId).sort();
  const idsOf = (...who: Array<keyof typeof people>) => who.map((w) => people[w].id).sort();

  /** The end state every step must keep: all four people in RAM, nobody's access taken. */
  const expectNobodyDeprovisioned = async () => {
    for (const who of ['ann', 'ben', 'cat', 'dan'] as const) expect(ram(who)).toBeDefined();
    expect(keyStatus('ben')).toEqual(['Active']);
    expect(keyStatus('cat')).toEqual(['Active']);
    expect(await state.list('suspension/')).toEqual([]);
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ad-held-'));
    fx = await SambaAdFixtures.open();
    const scope = await fx.addOu('people');
    for (const cn of ['ann', 'ben', 'cat', 'dan'] as const) {
      const { dn, guid } = await fx.addUser(cn, { userAccountControl: '512', displayName: `${cn} (staff)` }, scope);
      people[cn] = { dn, guid, id: `ad:${guid}` };
    }
    const ad = adTestConfig();
    stack = await startLocalStack({
      env: {
        ...process.env, STATE_DIR: path.join(dir, 'state'), RAM_OAUTH_CLIENT_ID: '',
        AD_URL: ad.url, AD_ALLOW_PLAIN_LDAP: 'true', AD_BIND_DN: ad.bindDn, AD_BIND_PASSWORD: ad.bindPassword, AD_BASE_DN: scope,
        // A budget of one deprovision per window; the percentage never decides here.
        SAFEGUARD_MAX_DELETES: '1', SAFEGUARD_MAX_DELETE_PERCENT: '100', SAFEGUARD_WINDOW_MINUTES: '60',
      },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20,
      // Ticks come from the test, not the clock.
      timers: { 'ad-poll': { triggerName: 'every-5m', everyMs: 3_600_000 } },
    });
    state = new FileStateStore(path.join(dir, 'state'));
  }, AD_HOOK_TIMEOUT_MS + 120_000);
  afterAll(async () => {
    await stack?.stop();
    await fx?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('first poll: a full resync brings the four people into RAM, within the budget', async () => {
    const result = await poll();
    expect(result).toMatchObject({
      mode: 'full', fullResyncReason: 'first-poll',
      fullSync: { dryRun: false, safeguard: { held: false, deprovisions: 0 }, result: { created: 4, failed: 0 } },
    });
    for (const who of ['ben', 'cat'] as const) stack.emulator!.state.attachAccessKey(ram(who)!.userName);
    await expectNobodyDeprovisioned();
    expect(await held()).toEqual([]);
  });

  it('one deleted and two disabled, then a full resync: all three staged on the held list, and only then the watermark moves', async () => {
    await fx.remove(people.ann.dn);
    await fx.replace(people.ben.dn, 'userAccountControl', ['514']);
    await fx.replace(people.cat.dn, 'userAccountControl', ['514']);
    await state.delete(WATERMARK); // the next poll must resync everything, as after a DC restore

    const result = await poll();

    expect(result).toMatchObject({
      mode: 'full', fullResyncReason: 'first-poll', changes: 0,
      fullSync: {
        dryRun: false,
        safeguard: { held: true, deprovisions: 3, staged: 3, maxDeletes: 1 },
        result: { deleted: 0, suspended: 0, staged: 3, failed: 0 },
      },
    });
    const entries = await held();
    const byId = new Map(entries.map((e) => [e.externalId, e]));
    expect([...byId.keys()].sort()).toEqual(idsOf('ann', 'ben', 'cat'));
    expect(byId.get(people.ann.id)).toMatchObject({ action: 'delete', userName: ram('ann')!.userName, stepReason: expect.stringMatching(/absent at the source/) });
    for (const who of ['ben', 'cat'] as const) {
      expect(byId.get(people[who].id)).toMatchObject({ action: 'suspend', userName: ram(who)!.userName, stepReason: expect.stringMatching(/disabled at the source/) });
    }
    for (const entry of entries) {
      expect(entry).toMatchObject({
        source: 'ad', path: 'ad-poll', runId: result.fullSync!.runId,
        reason: expect.stringMatching(/^3 deprovisions in 60 min would exceed the limits \(1 people or 100% of 4 managed\)/),
      });
      expect(entry.changeId).toBeUndefined();
    }
    const watermark = await state.get<UsnWatermark>(WATERMARK);
    expect(watermark?.usn).toBe(result.toUsn);
    for (const entry of entries) expect(Date.parse(entry.since)).toBeLessThanOrEqual(Date.parse(watermark!.savedAt));
    await expectNobodyDeprovisioned();
  });

  it('later per-person changes of the held people reach push one person per batch: each is staged again, nobody is deprovisioned', async () => {
    const before = await heldById();
    const edits = { ben: ['displayName', 'Ben (left)'], cat: ['description', 'left the company'] } as const;
    for (const who of ['ben', 'cat'] as const) {
      // One person per push: alone, this suspension would fit the budget (nothing was spent in the window).
      await fx.replace(people[who].dn, edits[who][0], [edits[who][1]]);
      expect(await poll()).toMatchObject({ mode: 'incremental', changes: 1 });
      const [was, now] = [before.get(people[who].id)!, (await heldById()).get(people[who].id)!];
      // Planned again by push and kept staged: the entry that explains it is still the resync's.
      expect(now).toEqual<HeldEntry>({ ...was, lastSeen: now.lastSeen });
      expect(Date.parse(now.lastSeen)).toBeGreaterThan(Date.parse(was.lastSeen));
      await expectNobodyDeprovisioned();
    }
    // The held suspension waits; the disabled person's name still follows the directory.
    expect(ram('ben')?.displayName).toBe('Ben (left)');
    const after = await heldById();
    expect([...after.keys()].sort()).toEqual(idsOf('ann', 'ben', 'cat'));
    expect(after.get(people.ann.id)).toEqual(before.get(people.ann.id)); // no change named her
  });

  it('while anyone is held, even a lone deprovision that fits the budget is staged by push', async () => {
    await fx.replace(people.dan.dn, 'userAccountControl', ['514']);

    expect(await poll()).toMatchObject({ mode: 'incremental', changes: 1 });

    expect(await heldIds()).toEqual(idsOf('ann', 'ben', 'cat', 'dan'));
    expect((await heldById()).get(people.dan.id)).toMatchObject({
      source: 'ad', action: 'suspend', path: 'push', changeId: expect.any(String),
      reason: expect.stringMatching(/^the held list is not empty \(3 held since /),
    });
    await expectNobodyDeprovisioned();
  });

  it('enabled again in AD: they leave the held list by themselves, the others stay held', async () => {
    await fx.replace(people.ben.dn, 'userAccountControl', ['512']);
    await fx.replace(people.dan.dn, 'userAccountControl', ['512']);

    expect(await poll()).toMatchObject({ mode: 'incremental', changes: 2 });

    expect(await heldIds()).toEqual(idsOf('ann', 'cat'));
    expect(ram('ben')?.displayName).toBe('Ben (left)');
    await expectNobodyDeprovisioned();
  });
});
