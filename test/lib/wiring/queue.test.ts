import { ConfigError } from '../../../functions/lib/core/errors';
import { withFcQueue } from '../../../functions/lib/wiring/queue';

const source = (env: Readonly<Record<string, string | undefined>>) => {
  if (!env.HOOK_TOKEN) throw new ConfigError([{ variable: 'HOOK_TOKEN', problem: 'is required' }]);
  return { token: env.HOOK_TOKEN };
};

describe('withFcQueue', () => {
  it('gives the source keys and the FC queue', () => {
    expect(withFcQueue({ HOOK_TOKEN: 't' }, source)).toEqual({ source: { token: 't' }, queue: expect.objectContaining({ kind: 'fc3' }) });
  });

  it('names every bad variable of both at once, and refuses the local queue for a webhook', () => {
    try {
      withFcQueue({ QUEUE_KIND: 'sqlite' }, source);
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['HOOK_TOKEN', 'QUEUE_KIND']);
    }
  });
});
