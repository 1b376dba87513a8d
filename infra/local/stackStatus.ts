/**
 * What the status page shows, gathered by the stack: configuration state and timers from the stack
 * itself, queue depth and dead letters from the SQLite queue, the held and failed lists from the
 * state directory (read directly: asking full-sync would log an invocation every 2 s), and, kept in
 * memory by `StatusRecorder`, the last full sync, timer runs and recent provisioning lines.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import type { SqliteQueue } from '../../functions/lib/queue/SqliteQueue';
import type { FullSyncResult } from '../../functions/lib/sync/entrances';
import { FailedChanges } from '../../functions/lib/sync/failedChanges';
import { HeldList } from '../../functions/lib/sync/heldList';
import { describeLogLine } from './outcomeLines';
import { RECONCILE, type TimerSchedule, describeSchedule, nextFire } from './schedule';
import {
  type FunctionState, type LastFullSync, MAX_ROWS, STATUS_PAGE_CSP, type StackStatus, type TimerStatus, isLoopbackHost, renderStatusPage, wantsHtml,
} from './statusPage';

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
  /** Every timer function's schedule (the reconcile's only when it is on), and those running. */
  declared: Record<string, TimerSchedule>;
  schedules: Record<string, TimerSchedule>;
  startedAt: Date;
  recorder: StatusRecorder;
}

/** `GET /`: the page to a browser, the same status as JSON to anyone else; only for requests addressed to the loopback. */
export async function answerStatus(req: IncomingMessage, res: ServerResponse, sources: StatusSources): Promise<void> {
  if (!isLoopbackHost(req.headers.host)) {
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end('the status page answers only requests addressed to the loopback (127.0.0.1, localhost)');
    return;
  }
  const status = await gatherStatus(sources);
  const html = wantsHtml(req.headers.accept);
  res.writeHead(200, html
    ? { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': STATUS_PAGE_CSP, 'cache-control': 'no-store' }
    : { 'content-type': 'application/json' });
  res.end(html ? renderStatusPage(status) : JSON.stringify(status));
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
  const timers: TimerStatus[] = Object.entries(s.declared).map(([name, declared]) => {
    const schedule = s.schedules[name];
    const lastRun = s.recorder.timerRuns.get(name);
    if (schedule) return { name, schedule: describeSchedule(schedule, now), nextRun: nextRun(schedule, s.startedAt, now).toISOString(), lastRun };
    return { name, schedule: describeSchedule(declared, now), notRunning: whyNotRunning(s, name), lastRun };
  });
  if (!('full-sync' in s.declared)) {
    timers.push({ name: 'full-sync', schedule: '', notRunning: `reconcile off (${RECONCILE.variables.schedule} is empty or ${RECONCILE.off})` });
  }
  return timers;
}

function whyNotRunning(s: StatusSources, name: string): string {
  const problem = s.unconfigured.get(name);
  if (problem) return problem.off ? `off: set ${problem.switch ?? 'its source'}` : `error: ${problem.message}`;
  if (!s.functions.includes(name)) return 'not built yet: its source has not landed';
  return s.dryRun ? 'not started (dry run)' : 'not started';
}

/** An interval counts from start-up (setInterval), a cron from now. */
function nextRun(schedule: TimerSchedule, startedAt: Date, now: Date): Date {
  if (!('everyMs' in schedule)) return nextFire(schedule, now);
  const elapsed = Math.max(0, now.getTime() - startedAt.getTime());
  return new Date(startedAt.getTime() + (Math.floor(elapsed / schedule.everyMs) + 1) * schedule.everyMs);
}
