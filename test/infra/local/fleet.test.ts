/**
 * A burst on a fleet of push instances against one RAM account with a rate limit: four Node
 * processes (FC instances) share one state directory (the NAS) and RAM_RATE_LIMIT, the emulator
 * throttles the account beyond its rate like RAM. The fleet keeps to the account's rate (throttling
 * answers stay within a small bound), nothing is dead-lettered or failed, every change is applied,
 * and a person changed many times in the burst is read once and written once.
 * Also when the operator set RAM_RATE_LIMIT twice what RAM allows: throttling slows the fleet down
 * (AIMD) instead of burning retries.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChangeBatch, Identity } from '../../../functions/lib/core/model';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import { parseChangeBatch } from '../../../functions/lib/sync/messages';
import { type RunningEmulator, startRamEmulator } from '../../../infra/emulator/RamEmulator';
import { readsPerPerson, runFleet } from '../../support/pushFleet';

const INSTANCES = 4;
const HIRES = 80;
const MOVERS = 6;
const CHANGES_PER_MOVER = 4;
/** Throttling answers a fleet sharing the budget may still see (timing jitter between client and RAM). */
const THROTTLE_BOUND = 3;

const settings = { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD };
const person = (sourceId: string): Identity => ({
  source: 'file', sourceId, userName: sourceId, displayName: `${sourceId} now`, departmentIds: [], status: 'active',
});
const batch = (id: string, emittedAt: number, sourceId: string): ChangeBatch => parseChangeBatch({
  v: 1, id, emittedAt: new Date(emittedAt).toISOString(), changes: [{ source: 'file', kind: 'user', sourceId, reason: 'user_add_org' }],
});

/** Hires (one batch each) and movers (each changed several times, a minute ago), dealt round-robin to the instances. */
function burst(hires: number, movers: number) {
  const people = [
    ...Array.from({ length: hires }, (_, i) => person(`h${i}`)),
    ...Array.from({ length: movers }, (_, i) => person(`m${i}`)),
  ];
  const burstAt = Date.now() - 60_000;
  const all: ChangeBatch[] = [];
  for (let i = 0; i < hires; i++) all.push(batch(`hire-${i}`, Date.now(), `h${i}`));
  for (let k = 0; k < CHANGES_PER_MOVER; k++) for (let i = 0; i < movers; i++) all.splice((k * 17 + i * 5) % (all.length + 1), 0, batch(`move-${i}-${k}`, burstAt + k * 1000, `m${i}`));
  const batches = Array.from({ length: INSTANCES }, (_, n) => all.filter((_, i) => i % INSTANCES === n));
  return { people, batches };
}

describe('a burst on four push instances sharing one RAM account', () => {
  let dir: string;
  let emulator: RunningEmulator;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'fleet-')); });
  afterEach(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps to the account\'s rate, applies every change, dead-letters nothing, and reads and writes a repeated person once', async () => {
    emulator = await startRamEmulator({ rateLimit: { requestsPerSecond: 40 } });
    const { people, batches } = burst(HIRES, MOVERS);
    const report = await runFleet({ dir, emulatorUrl: emulator.url, rateLimit: 40, budget: 'shared', people, settings, batches });

    const inRam = new Map(emulator.state.users().map((u) => [u.externalId, u.displayName]));
    for (const p of people) expect(inRam.get(`file:${p.sourceId}`)).toBe(p.displayName);
    expect(report.instances.map((r) => r.deadLettered + r.failures)).toEqual([0, 0, 0, 0]);
    expect(emulator.counters.throttled).toBeLessThanOrEqual(THROTTLE_BOUND);

    // Each mover: one vendor read for four changes; one RAM write each for everyone (the create).
    const reads = readsPerPerson(report);
    for (let i = 0; i < MOVERS; i++) expect(reads.get(`m${i}`)).toBe(1);
    expect(emulator.counters.writes).toBe(people.length);
    expect(report.instances.reduce((n, r) => n + r.coalesced, 0)).toBe(MOVERS * (CHANGES_PER_MOVER - 1));
    // The instances really ran side by side.
    expect(Math.max(...report.instances.map((r) => r.started))).toBeLessThan(Math.min(...report.instances.map((r) => r.ended)));
  }, 120_000);

  it('slows down instead of dead-lettering when RAM_RATE_LIMIT is twice what RAM allows', async () => {
    emulator = await startRamEmulator({ rateLimit: { requestsPerSecond: 20 } });
    const { people, batches } = burst(60, 0);
    const report = await runFleet({ dir, emulatorUrl: emulator.url, rateLimit: 40, budget: 'shared', people, settings, batches });

    const inRam = new Set(emulator.state.users().map((u) => u.externalId));
    for (const p of people) expect(inRam.has(`file:${p.sourceId}`)).toBe(true);
    expect(report.instances.map((r) => r.deadLettered + r.failures)).toEqual([0, 0, 0, 0]);
    // Throttled, but a few episodes' worth, not one refusal per request.
    const requests = emulator.counters.reads + emulator.counters.writes;
    expect(emulator.counters.throttled).toBeGreaterThan(0);
    expect(emulator.counters.throttled).toBeLessThan(requests / 4);
  }, 120_000);
});
