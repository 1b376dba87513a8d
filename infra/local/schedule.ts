/**
 * Timer schedules in the two forms FC's timer trigger takes (reference/fc.md §1.2): `@every <n>m` or
 * `@every <n>h`, or a 6-field cron with seconds first (`0 0 3 * * *`) read in a time zone, as FC reads
 * `CRON_TZ=<zone> <cron>`. The reconcile's comes from FULL_SYNC_SCHEDULE and FULL_SYNC_TIMEZONE; the
 * local stack and the offline s.yaml check both read them here, so a value one accepts the other does
 * too. croner does the cron arithmetic (infra only: no function bundle imports this file).
 */
import { Cron } from 'croner';
import { ConfigError, type ConfigProblem } from '../../functions/lib/core/errors';

/** How often a timer function runs: an interval from start-up, or a cron in a time zone. */
export type TimerSchedule = { triggerName: string; payload?: string } & ({ everyMs: number } | { cron: string; timezone: string });

/** The reconcile full sync's defaults, as s.yaml spells them: once a day at 03:00, China time. */
export const RECONCILE = {
  schedule: '0 0 3 * * *', timezone: 'Asia/Shanghai', triggerName: 'reconcile',
  variables: { schedule: 'FULL_SYNC_SCHEDULE', timezone: 'FULL_SYNC_TIMEZONE' },
  /** What turns it off. An empty FULL_SYNC_SCHEDULE does too, but only where it can be told from unset (not in s.yaml). */
  off: 'off',
} as const;

const EVERY = /^@every\s+([1-9]\d*)([mh])$/;
const CRON_FORMS = '"@every <n>m", "@every <n>h" or a 6-field cron (seconds minutes hours day-of-month month day-of-week), e.g. "0 0 3 * * *"';

/**
 * FULL_SYNC_SCHEDULE (default daily at 03:00; empty or `off`: no reconcile timer) in FULL_SYNC_TIMEZONE
 * (default Asia/Shanghai).
 * @throws ConfigError naming the variable whose value FC would not accept
 * @example
 * reconcileSchedule({ FULL_SYNC_SCHEDULE: '0 30 2 * * *' }); // { triggerName: 'reconcile', cron: '0 30 2 * * *', timezone: 'Asia/Shanghai' }
 */
export function reconcileSchedule(env: NodeJS.ProcessEnv): TimerSchedule | undefined {
  const expression = env[RECONCILE.variables.schedule] ?? RECONCILE.schedule;
  const timezone = env[RECONCILE.variables.timezone] || RECONCILE.timezone;
  if (expression.trim() === '' || expression.trim() === RECONCILE.off) return undefined;
  const problems = scheduleProblems(expression, timezone, RECONCILE.variables);
  if (problems.length > 0) throw new ConfigError(problems);
  const every = EVERY.exec(expression.trim());
  return every
    ? { triggerName: RECONCILE.triggerName, everyMs: Number(every[1]) * (every[2] === 'h' ? 3_600_000 : 60_000) }
    : { triggerName: RECONCILE.triggerName, cron: expression.trim().split(/\s+/).join(' '), timezone };
}

/** What FC would refuse in a schedule and its time zone, each naming its variable; [] when both are fine. */
export function scheduleProblems(expression: string, timezone: string, variables: { schedule: string; timezone: string }): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isTimeZone(timezone)) problems.push({ variable: variables.timezone, problem: 'must be an IANA time zone such as Asia/Shanghai or UTC' });
  const text = expression.trim();
  if (EVERY.test(text)) return problems;
  if (text.startsWith('@')) {
    problems.push({ variable: variables.schedule, problem: `must be ${CRON_FORMS}` });
  } else {
    try {
      new Cron(text, { mode: '6-part', paused: true });
    } catch (error) {
      problems.push({ variable: variables.schedule, problem: `must be ${CRON_FORMS} (${(error as Error).message.replace(/^CronPattern: /, '')})` });
    }
  }
  return problems;
}

/** When a schedule next fires strictly after `from` (an interval counts from `from`). */
export function nextFire(schedule: TimerSchedule, from: Date): Date {
  if ('everyMs' in schedule) return new Date(from.getTime() + schedule.everyMs);
  return cronOf(schedule).nextRun(from)!;
}

/** A cron job on the schedule (paused until `start`ed by a callback), the one place croner is configured. */
export function cronOf(schedule: { cron: string; timezone: string }, run?: () => void): Cron {
  const options = { mode: '6-part' as const, timezone: schedule.timezone };
  return run ? new Cron(schedule.cron, options, run) : new Cron(schedule.cron, { ...options, paused: true });
}

/** For people: "every 5 minutes", or "0 0 3 * * * in Asia/Shanghai, next 2026-12-07 03:00:00". */
export function describeSchedule(schedule: TimerSchedule, now = new Date()): string {
  if ('everyMs' in schedule) {
    const [n, unit] = schedule.everyMs % 3_600_000 === 0 ? [schedule.everyMs / 3_600_000, 'hour'] : [schedule.everyMs / 60_000, 'minute'];
    return n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
  }
  // sv-SE writes dates the ISO way, in the schedule's own zone.
  const next = nextFire(schedule, now).toLocaleString('sv-SE', { timeZone: schedule.timezone });
  return `${schedule.cron} in ${schedule.timezone}, next ${next}`;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
