/**
 * The vendor client, as a specification: the five outcomes an answer is sorted into, the shared
 * retry policy and the token cache. The table under test is a small Graph/Okta-like one (HTTP
 * statuses, bearer tokens, 429 with Retry-After); DingTalk, Lark and WeCom bring their own tables
 * and are tested against their fakes.
 */
import { ClassifiedError } from '../../../functions/lib/core/errors';
import { retryPolicy } from '../../../functions/lib/core/retryPolicy';
import {
  type VendorRequest, type VendorTable, type VendorTokenOptions, VendorClient, headerDelayMs, verdict,
} from '../../../functions/lib/sources/vendorClient';
import { type RecordedRequest, type TestServer, json, startServer } from '../ram/httpServer';

class SpecError extends ClassifiedError {
  constructor(readonly retryable: boolean, code: string) {
    super({ code, reason: `answered ${code}` });
  }
}

interface SpecRequest extends VendorRequest {
  /** 404 means "no such user" for this call. */
  absentOn404?: boolean;
}

const table: VendorTable<SpecRequest> = {
  classify({ status, headers, body }, request) {
    if (status === 200) return verdict.ok((body as { value?: unknown }).value);
    if (status === 404 && request.absentOn404) return verdict.absent();
    if (status === 401 && !request.anonymous) return verdict.tokenInvalid(new SpecError(false, 'HTTP 401'));
    if (status === 429 || status >= 500) return verdict.retryable(new SpecError(true, `HTTP ${status}`), headerDelayMs(headers.get('retry-after')));
    return verdict.final(new SpecError(false, `HTTP ${status}`));
  },
  unreachable: (_request, { timedOut }) => new SpecError(true, timedOut ? 'Timeout' : 'NetworkError'),
};

/** Answers for /users, one per request in order (then 200); `/token` issues t1, t2, … after a short pause. */
type Scripted = { status: number; retryAfter?: string };

describe('VendorClient', () => {
  let server: TestServer;
  let script: Scripted[];
  let issued: number;
  let sleeps: number[];

  beforeEach(async () => {
    script = [];
    issued = 0;
    sleeps = [];
    server = await startServer(async (req, res) => {
      if (req.url.pathname === '/token') {
        await new Promise((r) => setTimeout(r, 20)); // lets concurrent callers pile up
        return json(res, 200, { token: `t${++issued}` });
      }
      const next = script.shift();
      json(res, next?.status ?? 200, { value: `user for ${bearer(req)}` }, next?.retryAfter ? { 'retry-after': next.retryAfter } : {});
    });
  });
  afterEach(() => server.close());

  const bearer = (req: RecordedRequest) => req.headers.authorization?.replace(/^Bearer /, '') ?? req.url.searchParams.get('access_token');
  const users = () => server.requests.filter((r) => r.url.pathname === '/users');
  const client = (options: { maxAttempts?: number; capMs?: number; token?: Partial<VendorTokenOptions> } = {}) => {
    const vendor: VendorClient<SpecRequest> = new VendorClient({
      baseUrl: `${server.url}/`,
      retry: retryPolicy({ maxAttempts: options.maxAttempts ?? 4, baseMs: 100, capMs: options.capMs ?? 10_000, jitter: 'none', sleep: async (ms) => { sleeps.push(ms); } }),
      token: {
        issue: async () => ({ token: (await vendor.request<string>({ method: 'POST', path: '/token', anonymous: true }))!, expiresIn: 3600 }),
        ...options.token,
      },
    }, {
      ...table,
      // The token endpoint answers its token under `token`.
      classify: (answer, request) => request.anonymous ? verdict.ok((answer.body as { token: string }).token) : table.classify(answer, request),
    });
    return vendor;
  };
  const getUser = (api: VendorClient<SpecRequest>) => api.request<string>({ method: 'GET', path: '/users', absentOn404: true });

  describe('sorts each answer into one of five outcomes', () => {
    it('ok: the value the table picked', async () => {
      expect(await getUser(client())).toBe('user for t1');
    });

    it('absent: undefined, when the table says the answer means "no such entity" for this call', async () => {
      script = [{ status: 404 }];
      expect(await getUser(client())).toBeUndefined();
      expect(sleeps).toEqual([]);
    });

    it('token-invalid: the token is dropped and the call repeated once, at once, with a new one', async () => {
      script = [{ status: 401 }];
      expect(await getUser(client())).toBe('user for t2');
      expect(users().map(bearer)).toEqual(['t1', 't2']);
      expect(sleeps).toEqual([]);
    });

    it('token-invalid again: the table\'s error, without a third try', async () => {
      script = [{ status: 401 }, { status: 401 }, { status: 401 }];
      await expect(getUser(client())).rejects.toMatchObject({ code: 'HTTP 401', retryable: false });
      expect(users()).toHaveLength(2);
    });

    it('retryable: backed off and tried again', async () => {
      script = [{ status: 503 }, { status: 502 }];
      expect(await getUser(client())).toBe('user for t1');
      expect(sleeps).toEqual([100, 200]);
    });

    it('final: thrown at once, after one request', async () => {
      script = [{ status: 403 }];
      await expect(getUser(client())).rejects.toMatchObject({ code: 'HTTP 403', retryable: false });
      expect(users()).toHaveLength(1);
    });

    it('no answer at all is retryable, with the table\'s error', async () => {
      const url = server.url;
      await server.close();
      const api = new VendorClient<SpecRequest>({ baseUrl: url, retry: retryPolicy({ maxAttempts: 2, sleep: async () => undefined }) }, table);
      await expect(getUser(api)).rejects.toMatchObject({ code: 'NetworkError', retryable: true });
      server = await startServer(() => undefined);
    });

    it('an answer slower than timeoutMs is no answer: retryable, as a timeout', async () => {
      const hung = await startServer(() => new Promise(() => undefined));
      try {
        const api = new VendorClient<SpecRequest>({ baseUrl: hung.url, timeoutMs: 100, retry: retryPolicy({ maxAttempts: 1 }) }, table);
        await expect(getUser(api)).rejects.toMatchObject({ code: 'Timeout', retryable: true });
      } finally {
        await hung.close();
      }
    });
  });

  describe('the retry policy', () => {
    it('honours Retry-After, in seconds or as a date, capped by the policy', async () => {
      script = [{ status: 429, retryAfter: '3' }, { status: 429, retryAfter: new Date(Date.now() + 60_000).toUTCString() }, { status: 429, retryAfter: '1.5' }];
      expect(await getUser(client({ capMs: 30_000 }))).toBe('user for t1');
      expect(sleeps[0]).toBe(3000);
      expect(sleeps[1]).toBe(30_000);
      expect(sleeps[2]).toBe(1500);
    });

    it('bounds the attempts: maxAttempts requests, then the last error', async () => {
      script = Array.from({ length: 10 }, () => ({ status: 503 }));
      await expect(getUser(client({ maxAttempts: 3 }))).rejects.toMatchObject({ code: 'HTTP 503', retryable: true });
      expect(users()).toHaveLength(3);
      expect(sleeps).toEqual([100, 200]);
    });

    it('by default, the repeat with a new token comes on top of the attempts (Lark, WeCom)', async () => {
      script = [{ status: 401 }, ...Array.from({ length: 10 }, () => ({ status: 503 }))];
      await expect(getUser(client({ maxAttempts: 3 }))).rejects.toMatchObject({ code: 'HTTP 503' });
      expect(users()).toHaveLength(4);
      expect(sleeps).toEqual([100, 200]);
    });

    it('with refreshSpendsAttempt, the repeat is one of them (DingTalk)', async () => {
      script = [{ status: 401 }, ...Array.from({ length: 10 }, () => ({ status: 503 }))];
      await expect(getUser(client({ maxAttempts: 3, token: { refreshSpendsAttempt: true } }))).rejects.toMatchObject({ code: 'HTTP 503' });
      expect(users()).toHaveLength(3);
      expect(sleeps).toEqual([200]);
    });
  });

  describe('the token cache', () => {
    it('fetches one token for concurrent callers and reuses it', async () => {
      const api = client();
      expect(await Promise.all(Array.from({ length: 5 }, () => getUser(api)))).toEqual(Array(5).fill('user for t1'));
      await getUser(api);
      expect(issued).toBe(1);
    });

    it('renews once for concurrent callers whose token was refused', async () => {
      const api = client();
      await getUser(api);
      script = [{ status: 401 }, { status: 401 }, { status: 401 }];
      expect(await Promise.all([getUser(api), getUser(api), getUser(api)])).toEqual(Array(3).fill('user for t2'));
      expect(issued).toBe(2);
    });

    it('renews ahead of expiry', async () => {
      let now = 0;
      const api = client({ token: { now: () => now, renewEarly: () => 300 } });
      await getUser(api);
      now = (3600 - 300 - 1) * 1000;
      expect(await getUser(api)).toBe('user for t1');
      now += 1000;
      expect(await getUser(api)).toBe('user for t2');
    });

    it('sends the token as a bearer, or as the query parameter the vendor names (DingTalk, WeCom)', async () => {
      await getUser(client());
      await getUser(client({ token: { queryParameter: 'access_token' } }));
      const [asBearer, inQuery] = users();
      expect(asBearer!.headers.authorization).toBe('Bearer t1');
      expect(inQuery!.headers.authorization).toBeUndefined();
      expect(inQuery!.url.searchParams.get('access_token')).toBe('t2');
    });
  });
});
