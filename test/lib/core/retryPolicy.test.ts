import { backoffMs, retryPolicy } from '../../../functions/lib/core/retryPolicy';

describe('backoffMs', () => {
  const waits = (jitter: 'full' | 'equal' | 'none' | undefined, random: number) => {
    const policy = retryPolicy({ baseMs: 100, capMs: 500, jitter, random: () => random });
    return [1, 2, 3, 4].map((attempt) => backoffMs(policy, attempt));
  };

  it('draws under a doubling ceiling, capped: full jitter by default, equal jitter, or none', () => {
    expect(waits(undefined, 0.5)).toEqual([50, 100, 200, 250]);
    expect(waits('equal', 0)).toEqual([50, 100, 200, 250]);
    expect(waits('equal', 0.5)).toEqual([75, 150, 300, 375]);
    expect(waits('none', 0.5)).toEqual([100, 200, 400, 500]);
  });

  it('takes the server\'s wait instead, capped', () => {
    const policy = retryPolicy({ capMs: 500, jitter: 'none' });
    expect(backoffMs(policy, 1, 300)).toBe(300);
    expect(backoffMs(policy, 1, 60_000)).toBe(500);
  });
});
