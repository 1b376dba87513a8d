/**
 * What the status page shows, gathered by the stack: configuration state and timers from the stack
 * itself, queue depth and dead letters from the SQLite queue, the held and failed lists from the
 * state directory (read directly: asking full-sync would log an invocation every 2 s), and, kept in
 * memory by `StatusRecorder`, the last full sync, timer runs and recent provisioning lines.
 */
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import type { SqliteQueue } from '../../functions/lib/queue/SqliteQueue';
import type { FullSyncResult } from '../../functions/lib/sync/entrances';
import { FailedChanges } from '../../functions/lib/sync/failedChanges';
import { HeldList } from '../../functions/lib/sync/heldList';
import { describeLogLine } from './outcomeLines';
import { type TimerSchedule, describeSchedule, nextFire } from './schedule';
import { type FunctionState, type LastFullSync, MAX_ROWS, type StackStatus, type TimerStatus } from './statusPage';

/** Provisioning lines kept for the page. */
export const RECENT_LINES = 50;

/** In-memory history the page needs and nothing else keeps: a restart starts it afresh. */
export class StatusRecorder {
  lastFullSync?: LastFullSync;
  readonly timerRuns = new Map<string, { at: string; error?: string }>();
  private readonly lines: string[] = [];

  /** A function log line; kept when a person would read it (outcomes, warnings, errors). */
  logLine(raw: string): void {
    const human = raw.startsWith('{') ? describeLogLine(raw) : undefined;
    if (!human) return;
    this.lines.push(human);
    if (this.lines.length > RECENT_LINES) this.lines.splice(0, this.lines.length - RECENT_LINES);
  }

  fullSync(result: unknown, trigger: LastFullSync['trigger']): void {
    // A timer's full-sync answers a FullSyncResult; anything else (a list, a release) has no plan.
    if (!result || typeof result !== 'object' || !('plan' in result)) return;
    const { runId, dryRun, plan, safeguard, result: applied } = result as FullSyncResult;
    this.lastFullSync = { at: new Date().toISOString(), trigger, runId, dryRun, plan, safeguard, result: applied };
  }

  timerRun(name: string, error?: unknown): void {
    this.timerRuns.set(name, { at: new Date().toISOString(), ...(error !== undefined && { error: error instanceof Error ? error.message : String(error) }) });
  }

  recentLines(): string[] {
    return [...this.lines];
  }
}

export interface StatusSources {
  ram: string;
  dryRun: boolean;
  stateDir: string;
  queue: SqliteQueue;
  functions: string[];
  /** Every function the stack knows of (webhooks, timers), built or not. */
  known: string[];
  unconfigured: Map<string, { message: string; switch?: string; off: boolean }>;
  /** Every timer function, running or not, and the schedules of those running. */
  timerNames: string[];
  schedules: Record<string, TimerSchedule>;
  startedAt: Date;
  recorder: StatusRecorder;
}

export async function gatherStatus(s: StatusSources, now = new Date()): Promise<StackStatus> {
  const state = new FileStateStore(s.stateDir);
  const [held, failed] = await Promise.all([new HeldList(state).entries(), new FailedChanges(state).list()]);
  const dead = s.queue.deadLetters();
  return {
    generatedAt: now.toISOString(), ram: s.ram, dryRun: s.dryRun, functions: s.functions,
    functionStates: functionStates(s), timers: timerStatus(s, now), queue: s.queue.stats(),
    deadLetters: {
      total: dead.length,
      entries: dead.slice(0, MAX_ROWS).map((d) => ({ id: d.id, attempts: d.attempts, changeCount: d.changeCount, lastReason: d.lastReason, failedAt: d.failedAt })),
    },
    held: {
      total: held.length,
      entries: held.slice(0, MAX_ROWS).map((e) => ({
        externalId: e.externalId, userName: e.userName, action: e.action, source: e.source, since: e.since, reason: e.reason, stepReason: e.stepReason,
      })),
    },
    failed: {
      total: failed.entries.length, dropped: failed.dropped,
      entries: failed.entries.slice(0, MAX_ROWS).map((e) => ({
        key: e.key, action: e.action, reason: e.reason, recommendedAction: e.recommendedAction, at: e.at, times: e.times,
      })),
    },
    lastFullSync: s.recorder.lastFullSync,
    recentLines: s.recorder.recentLines(),
  };
}

function functionStates(s: StatusSources): FunctionState[] {
  const names = [...new Set([...s.functions, ...s.known])];
  return names.map((name): FunctionState => {
    if (s.functions.includes(name)) return { name, state: 'on' };
    const problem = s.unconfigured.get(name);
    if (!problem) return { name, state: 'not built' };
    return problem.off ? { name, state: 'off', switch: problem.switch } : { name, state: 'error', message: problem.message };
  });
}

function timerStatus(s: StatusSources, now: Date): TimerStatus[] {
  return s.timerNames.map((name) => {
    const schedule = s.schedules[name];
    const lastRun = s.recorder.timerRuns.get(name);
    if (!schedule) {
      const notRunning = s.dryRun && s.functions.includes(name) ? 'not started (dry run)' : s.functions.includes(name) ? 'off' : 'function not running';
      return { name, schedule: '', notRunning, lastRun };
    }
    return { name, schedule: describeSchedule(schedule, now), nextRun: nextRun(schedule, s.startedAt, now).toISOString(), lastRun };
  });
}

/** An interval counts from start-up (setInterval), a cron from now. */
function nextRun(schedule: TimerSchedule, startedAt: Date, now: Date): Date {
  if (!('everyMs' in schedule)) return nextFire(schedule, now);
  const elapsed = Math.max(0, now.getTime() - startedAt.getTime());
  return new Date(startedAt.getTime() + (Math.floor(elapsed / schedule.everyMs) + 1) * schedule.everyMs);
}
