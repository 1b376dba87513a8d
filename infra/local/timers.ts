/**
 * Timer triggers on the local stack: each timer function that is built is invoked on its schedule
 * with the event FC's timer trigger sends (`{ triggerTime, triggerName, payload }`), one run at a time.
 */
import type { FcTimerEvent } from '../../functions/lib/fc/types';

/** The timer functions and their intervals, as s.yaml declares them (`@every 5m`). */
export const TIMER_SCHEDULES: Record<string, { triggerName: string; everyMs: number; payload?: string }> = {
  'ad-poll': { triggerName: 'every-5m', everyMs: 5 * 60_000 },
};

/** The event FC's timer trigger sends, as the bytes a handler receives. */
export function timerEvent(schedule: { triggerName: string; payload?: string }): Buffer {
  const event: FcTimerEvent = { triggerTime: new Date().toISOString(), triggerName: schedule.triggerName, payload: schedule.payload };
  return Buffer.from(JSON.stringify(event));
}

export function startTimers(
  schedules: Record<string, { triggerName: string; everyMs: number; payload?: string }>,
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
    return setInterval(fire, schedule.everyMs);
  });
  return () => timers.forEach(clearInterval);
}
