import { TIMER_SCHEDULES, startTimers, timerSchedules } from '../../../infra/local/timers';

describe('startTimers (the local stack\'s timer triggers)', () => {
  it('invokes each function on its schedule with FC\'s timer event, never overlapping a slow run', async () => {
    const events: { name: string; event: { triggerTime: string; triggerName: string; payload?: string } }[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => { release = resolve; });
    const outcomes: string[] = [];
    const stop = startTimers(
      { 'ad-poll': { triggerName: 'every-5m', everyMs: 20, payload: '{"full":false}' } },
      async (name, buffer) => {
        events.push({ name, event: JSON.parse(buffer.toString()) });
        await slow;
      },
      (name, { error }) => outcomes.push(`${name}:${error ? 'error' : 'ok'}`),
    );
    await new Promise((r) => setTimeout(r, 120));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ name: 'ad-poll', event: { triggerName: 'every-5m', payload: '{"full":false}' } });
    expect(Number.isNaN(Date.parse(events[0]!.event.triggerTime))).toBe(false);
    release();
    await new Promise((r) => setTimeout(r, 300));
    stop();
    expect(events.length).toBeGreaterThan(1);
    expect(outcomes[0]).toBe('ad-poll:ok');
  });

  it('reports a failing run and keeps the schedule', async () => {
    const outcomes: unknown[] = [];
    const stop = startTimers({ 'ad-poll': { triggerName: 't', everyMs: 10 } }, async () => { throw new Error('DC unreachable'); },
      (_name, { error }) => outcomes.push(error));
    await new Promise((r) => setTimeout(r, 300));
    stop();
    expect(outcomes.length).toBeGreaterThan(1);
    expect((outcomes[0] as Error).message).toBe('DC unreachable');
  });
});

describe('timerSchedules (what the local stack runs)', () => {
  it('includes full-sync\'s reconcile, daily at 03:00 China time, beside the pollers', () => {
    expect(timerSchedules({})).toEqual({ ...TIMER_SCHEDULES, 'full-sync': { triggerName: 'reconcile', cron: '0 0 3 * * *', timezone: 'Asia/Shanghai' } });
    expect(timerSchedules({ FULL_SYNC_SCHEDULE: '@every 2h' })['full-sync']).toEqual({ triggerName: 'reconcile', everyMs: 7_200_000 });
  });

  it('leaves it out when FULL_SYNC_SCHEDULE is empty or off', () => {
    expect(timerSchedules({ FULL_SYNC_SCHEDULE: '' })).toEqual(TIMER_SCHEDULES);
    expect(timerSchedules({ FULL_SYNC_SCHEDULE: 'off' })).toEqual(TIMER_SCHEDULES);
  });

  it('stops on a schedule FC would refuse, naming the variable', () => {
    expect(() => timerSchedules({ FULL_SYNC_SCHEDULE: '0 3 * * *' })).toThrow(/FULL_SYNC_SCHEDULE must be/);
  });
});

describe('a cron timer (the clock is jest\'s)', () => {
  afterEach(() => jest.useRealTimers());

  it('fires at its time in its zone with FC\'s timer event, and not at start-up', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-06T18:58:00Z') }); // 02:58 in Shanghai
    const fired: { name: string; event: { triggerName: string; triggerTime: string } }[] = [];
    const stop = startTimers(
      { 'full-sync': { triggerName: 'reconcile', cron: '0 0 3 * * *', timezone: 'Asia/Shanghai' } },
      async (name, buffer) => { fired.push({ name, event: JSON.parse(buffer.toString()) }); },
      () => undefined,
    );
    await jest.advanceTimersByTimeAsync(60_000);
    expect(fired).toEqual([]);
    await jest.advanceTimersByTimeAsync(61_000);
    stop();
    expect(fired).toEqual([{ name: 'full-sync', event: { triggerName: 'reconcile', triggerTime: expect.stringMatching(/^2026-12-06T19:00:0/) } }]);
  });
});
