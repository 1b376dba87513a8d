/**
 * Timer triggers on the local stack: each timer function that is built is invoked on its schedule
 * with the event FC's timer trigger sends (`{ triggerTime, triggerName, payload }`), one run at a time.
 * An interval first fires one interval after start-up, a cron at its next time: nothing runs at start.
 */
import type { FcTimerEvent } from '../../functions/lib/fc/types';
import { type TimerSchedule, cronOf, reconcileSchedule } from './schedule';

/** The timer functions and their intervals, as s.yaml declares them (`@every 5m`). */
export const TIMER_SCHEDULES: Record<string, TimerSchedule> = {
  'ad-poll': { triggerName: 'every-5m', everyMs: 5 * 60_000 },
  'ldap-poll': { triggerName: 'every-5m', everyMs: 5 * 60_000 },
  'entra-poll': { triggerName: 'every-5m', everyMs: 5 * 60_000 },
  'okta-poll': { triggerName: 'every-5m', everyMs: 5 * 60_000 },
  'dingtalk-poll': { triggerName: 'every-5m', everyMs: 5 * 60_000 },
};

/**
 * TIMER_SCHEDULES plus `full-sync`'s reconcile, on FULL_SYNC_SCHEDULE in FULL_SYNC_TIMEZONE unless off.
 * @throws ConfigError naming FULL_SYNC_SCHEDULE or FULL_SYNC_TIMEZONE when FC would refuse its value
 */
export function timerSchedules(env: NodeJS.ProcessEnv): Record<string, TimerSchedule> {
  const reconcile = reconcileSchedule(env);
  return { ...TIMER_SCHEDULES, ...(reconcile && { 'full-sync': reconcile }) };
}

/** The event FC's timer trigger sends, as the bytes a handler receives. */
export function timerEvent(schedule: { triggerName: string; payload?: string }): Buffer {
  const event: FcTimerEvent = { triggerTime: new Date().toISOString(), triggerName: schedule.triggerName, payload: schedule.payload };
  return Buffer.from(JSON.stringify(event));
}

export function startTimers(
  schedules: Record<string, TimerSchedule>,
  invoke: (name: string, event: Buffer) => Promise<unknown>,
  report: (name: string, outcome: { error?: unknown }) => void,
): () => void {
  const timers = Object.entries(schedules).map(([name, schedule]) => {
    let running = false;
    const fire = () => {
      if (running) return; // a slow poll is not overlapped by the next tick, as FC's single instance would not be
      running = true;
      invoke(name, timerEvent(schedule))
        .then(() => report(name, {}), (error: unknown) => report(name, { error }))
        .finally(() => { running = false; });
    };
    if ('everyMs' in schedule) {
      const interval = setInterval(fire, schedule.everyMs);
      return () => clearInterval(interval);
    }
    const job = cronOf(schedule, fire);
    return () => job.stop();
  });
  return () => timers.forEach((stop) => stop());
}
