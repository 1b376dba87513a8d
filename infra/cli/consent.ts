/**
 * `npm run consent`: one-time admin consent for a RAM Native application (the seed's flow), after
 * which the functions use the refresh-token grant. Starts a loopback callback server, prints the
 * authorize URL, exchanges the returned code and stores the refresh token in the state store.
 * Prints no token.
 *
 *   RAM_OAUTH_CLIENT_ID=… RAM_OAUTH_CLIENT_SECRET=… npx tsx infra/cli/consent.ts
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StateStore } from '../../functions/lib/core/ports';
import { ClassifiedError, ConfigError } from '../../functions/lib/core/errors';
import { REFRESH_TOKEN_KEY, requestToken, type StoredRefreshToken } from '../../functions/lib/ram/OAuthToken';
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import { reportCliError } from './failure';

export interface ConsentOptions {
  clientId: string;
  clientSecret: string;
  /** Default `https://signin.aliyun.com/oauth2/v1/auth`. */
  authorizeUrl?: string;
  /** Default `https://oauth.aliyun.com/v1/token`. */
  tokenUrl?: string;
  store: StateStore;
  /** Loopback port of the callback; register `http://127.0.0.1:<port>/callback` on the app. 0 = any (tests). */
  port?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface ConsentSession {
  /** Open this in a browser signed in as a RAM admin. */
  authorizeUrl: string;
  redirectUri: string;
  /** Resolves once the refresh token is stored; rejects if consent is refused. */
  done: Promise<void>;
  close(): Promise<void>;
}

/** Refused consent, a state mismatch or a token answer without a refresh token. */
export class ConsentError extends ClassifiedError {
  readonly retryable = false;
  constructor(reason: string, recommendedAction: string, options?: { cause?: unknown }) {
    super({ code: 'ConsentError', reason, recommendedAction, cause: options?.cause });
  }
}

export async function startConsent(options: ConsentOptions): Promise<ConsentSession> {
  const state = randomBytes(16).toString('base64url');
  // PKCE (S256): a Native app's secret is not really secret, the verifier binds the code to us.
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  let redirectUri = '';
  let settle!: { resolve: () => void; reject: (e: Error) => void };
  const done = new Promise<void>((resolve, reject) => { settle = { resolve, reject }; });
  let finished = false;

  const answer = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback' || finished) return answer(res, 404, 'not found');
    // A request without our state is not the redirect we started: refuse it and keep waiting.
    if (url.searchParams.get('state') !== state) return answer(res, 400, 'state does not match; start again from the printed URL');
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    finished = true;
    if (error || !code) {
      answer(res, 400, `consent was not given (${error ?? 'no code'})`);
      return settle.reject(new ConsentError(`consent was not given: ${error ?? 'no code in the redirect'}`,
        'run npm run consent again and authorize the app, signed in as a RAM administrator'));
    }
    exchange(code).then(
      () => { answer(res, 200, 'Consent stored. You can close this window.'); settle.resolve(); },
      (cause: unknown) => {
        answer(res, 502, 'the code exchange failed; see the terminal');
        settle.reject(cause instanceof Error ? cause : new ConsentError('the code exchange failed', 'run npm run consent again', { cause }));
      },
    );
  });

  async function exchange(code: string): Promise<void> {
    const answer = await requestToken(
      { tokenUrl: options.tokenUrl ?? DEFAULT_TOKEN_URL, clientId: options.clientId, clientSecret: options.clientSecret, timeoutMs: options.timeoutMs, fetch: options.fetch },
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier },
    );
    if (!answer.refreshToken) throw new ConsentError('the token answer has no refresh_token',
      'use a RAM Native application (a Web application gets no refresh token), then run npm run consent again');
    await options.store.put<StoredRefreshToken>(REFRESH_TOKEN_KEY, { refreshToken: answer.refreshToken, obtainedAt: new Date().toISOString() });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8765, '127.0.0.1', () => resolve());
  });
  redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  const authorize = new URL(options.authorizeUrl ?? DEFAULT_AUTHORIZE_URL);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: options.clientId, redirect_uri: redirectUri, scope: '/acs/scim', state,
    code_challenge: challenge, code_challenge_method: 'S256',
  })) authorize.searchParams.set(k, v);

  const close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  // The server is only needed until the one redirect has been handled.
  done.then(close, close).catch(() => {});
  return { authorizeUrl: authorize.toString(), redirectUri, done, close };
}

const DEFAULT_AUTHORIZE_URL = 'https://signin.aliyun.com/oauth2/v1/auth';
const DEFAULT_TOKEN_URL = 'https://oauth.aliyun.com/v1/token';

function settingsFromEnv(env: NodeJS.ProcessEnv) {
  const problems: { variable: string; problem: string }[] = [];
  const need = (name: string) => {
    const v = env[name]?.trim();
    if (!v) problems.push({ variable: name, problem: 'is required' });
    return v ?? '';
  };
  const clientId = need('RAM_OAUTH_CLIENT_ID');
  const clientSecret = need('RAM_OAUTH_CLIENT_SECRET');
  const port = Number(env.CONSENT_PORT?.trim() || 8765);
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push({ variable: 'CONSENT_PORT', problem: 'must be a port number' });
  if (problems.length) throw new ConfigError(problems);
  return {
    clientId, clientSecret, port,
    authorizeUrl: env.RAM_OAUTH_AUTHORIZE_URL?.trim() || DEFAULT_AUTHORIZE_URL,
    tokenUrl: env.RAM_OAUTH_TOKEN_URL?.trim() || DEFAULT_TOKEN_URL,
    stateDir: env.STATE_DIR?.trim() || '.state',
  };
}

async function main(): Promise<void> {
  const settings = settingsFromEnv(process.env);
  const session = await startConsent({ ...settings, store: new FileStateStore(settings.stateDir) });
  console.log(`Register this redirect URI on the Native application: ${session.redirectUri}`);
  console.log(`Open this URL as a RAM administrator and authorize the app:\n\n  ${session.authorizeUrl}\n`);
  await session.done;
  console.log(`Consent stored in ${settings.stateDir} (${REFRESH_TOKEN_KEY}). Set RAM_OAUTH_GRANT=refresh_token.`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.exitCode = reportCliError('consent', error);
  });
}
