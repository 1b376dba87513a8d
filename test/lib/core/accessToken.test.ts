import { AccessTokenCache } from '../../../functions/lib/core/accessToken';

describe('AccessTokenCache (vendor access tokens and RAM\'s OAuth token)', () => {
  it('fetches once for concurrent callers and reuses the token until shortly before expiry', async () => {
    let clock = 0;
    let issued = 0;
    const cache = new AccessTokenCache(async () => ({ token: `t${++issued}`, expiresIn: 7200 }), { now: () => clock });
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual(['t1', 't1', 't1']);
    clock = (7200 - 300 - 1) * 1000;
    expect(await cache.get()).toBe('t1');
    clock = (7200 - 300) * 1000;
    expect(await cache.get()).toBe('t2');
  });

  it('renews as early as told', async () => {
    let clock = 0;
    let issued = 0;
    const cache = new AccessTokenCache(async () => ({ token: `t${++issued}`, expiresIn: 7200 }), { now: () => clock, renewEarly: () => 1800 });
    await cache.get();
    clock = 5400 * 1000;
    expect(await cache.get()).toBe('t2');
  });

  it('drops a token the vendor refused, but not a newer one another caller already has', async () => {
    let issued = 0;
    const cache = new AccessTokenCache(async () => ({ token: `t${++issued}`, expiresIn: 7200 }));
    const first = await cache.get();
    cache.invalidate(first);
    const second = await cache.get();
    expect(second).toBe('t2');
    cache.invalidate(first);
    expect(await cache.get()).toBe('t2');
  });

  it('passes a failed fetch to every waiting caller and does not cache it', async () => {
    let calls = 0;
    const cache = new AccessTokenCache(async () => {
      calls++;
      if (calls === 1) throw new Error('gettoken failed');
      return { token: 'ok', expiresIn: 7200 };
    });
    await expect(Promise.all([cache.get(), cache.get()])).rejects.toThrow('gettoken failed');
    expect(await cache.get()).toBe('ok');
    expect(calls).toBe(2);
  });
});
