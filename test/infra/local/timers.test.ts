import { startTimers } from '../../../infra/local/timers';

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
