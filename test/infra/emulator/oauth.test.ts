import { createHash } from 'node:crypto';
import { startRamEmulator, type RunningEmulator } from '../../../infra/emulator/RamEmulator';
import { NATIVE_APP, SERVER_APP, basic, postForm, scim } from './helpers';

const REDIRECT = 'http://127.0.0.1:8765/callback';

async function token(emu: RunningEmulator, query: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.tokenUrl}?${query}`, { method: 'POST', headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** Runs the consent step and returns the code RAM puts on the redirect. */
async function authorize(emu: RunningEmulator, extra: Record<string, string> = {}): Promise<URL> {
  const params = new URLSearchParams({
    client_id: NATIVE_APP.id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: '/acs/scim',
    state: 'xyz',
    ...extra,
  });
  const res = await fetch(`${emu.authorizeUrl}?${params}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') as string);
}

describe('RAM emulator OAuth', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startRamEmulator();
  });
  afterAll(() => emu.close());

  describe('client credentials', () => {
    it('answers exactly like RAM, with expires_in as a string', async () => {
      const res = await token(emu, `grant_type=client_credentials&client_id=${SERVER_APP.id}`, {
        authorization: basic(SERVER_APP.id, SERVER_APP.secret),
      });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['scope', 'request_id', 'access_token', 'token_type', 'expires_in']);
      expect(res.body).toMatchObject({ scope: '/acs/scim', token_type: 'Bearer', expires_in: '3599' });
      expect(typeof res.body.access_token).toBe('string');
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    });

    it('accepts the parameters and client_secret in a form body', async () => {
      const res = await postForm(emu.tokenUrl, {
        grant_type: 'client_credentials',
        client_id: SERVER_APP.id,
        client_secret: SERVER_APP.secret,
      });
      expect(res.status).toBe(200);
      const users = await scim(emu, res.body.access_token, 'GET', '/Users');
      expect(users.status).toBe(200);
    });

    it('refuses a wrong secret or an unknown client with 401 invalid_client', async () => {
      const wrong = await token(emu, `grant_type=client_credentials&client_id=${SERVER_APP.id}`, {
        authorization: basic(SERVER_APP.id, 'not-the-secret'),
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error).toBe('invalid_client');
      const unknown = await token(emu, 'grant_type=client_credentials&client_id=nobody', {
        authorization: basic('nobody', 'x'),
      });
      expect(unknown.status).toBe(401);
      expect(unknown.body.error).toBe('invalid_client');
      const none = await token(emu, `grant_type=client_credentials&client_id=${SERVER_APP.id}`);
      expect(none.status).toBe(401);
    });

    it('refuses an unknown grant type and client credentials for a native app', async () => {
      const auth = { authorization: basic(SERVER_APP.id, SERVER_APP.secret) };
      const bogus = await token(emu, `grant_type=password&client_id=${SERVER_APP.id}`, auth);
      expect(bogus.status).toBe(400);
      expect(bogus.body.error).toBe('unsupported_grant_type');
      const native = await token(emu, `grant_type=client_credentials&client_id=${NATIVE_APP.id}`, {
        authorization: basic(NATIVE_APP.id, NATIVE_APP.secret),
      });
      expect(native.status).toBe(400);
      expect(native.body.error).toBe('unauthorized_client');
    });

    it('expires access tokens after the configured lifetime', async () => {
      const short = await startRamEmulator({ accessTokenTtlSeconds: 1 });
      try {
        const res = await token(short, `grant_type=client_credentials&client_id=${SERVER_APP.id}`, {
          authorization: basic(SERVER_APP.id, SERVER_APP.secret),
        });
        expect(res.body.expires_in).toBe('0');
        const accessToken = res.body.access_token as string;
        expect((await scim(short, accessToken, 'GET', '/Users')).status).toBe(200);
        await new Promise((r) => setTimeout(r, 1100));
        const expired = await scim(short, accessToken, 'GET', '/Users');
        expect(expired.status).toBe(401);
        expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer/);
      } finally {
        await short.close();
      }
    });
  });

  describe('authorization code and refresh tokens (native app)', () => {
    const exchange = (code: string, redirectUri = REDIRECT, extra: Record<string, string> = {}) =>
      postForm(
        emu.tokenUrl,
        { grant_type: 'authorization_code', client_id: NATIVE_APP.id, code, redirect_uri: redirectUri, ...extra },
        { authorization: basic(NATIVE_APP.id, NATIVE_APP.secret) },
      );

    it('consents at once and redirects back with a code and the state', async () => {
      const back = await authorize(emu);
      expect(back.origin + back.pathname).toBe(REDIRECT);
      expect(back.searchParams.get('state')).toBe('xyz');
      expect(back.searchParams.get('code')).toBeTruthy();
    });

    it('exchanges a code once, for an access and a refresh token', async () => {
      const code = (await authorize(emu)).searchParams.get('code') as string;
      const first = await exchange(code);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ scope: '/acs/scim', token_type: 'Bearer', expires_in: '3599' });
      expect(typeof first.body.refresh_token).toBe('string');
      const again = await exchange(code);
      expect(again.status).toBe(400);
      expect(again.body.error).toBe('invalid_grant');
    });

    it('requires the redirect_uri used at authorize', async () => {
      const code = (await authorize(emu)).searchParams.get('code') as string;
      const res = await exchange(code, 'http://127.0.0.1:9999/elsewhere');
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_grant');
    });

    it('verifies a PKCE S256 challenge', async () => {
      const verifier = 'a-long-enough-code-verifier-0123456789abcdef';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const extra = { code_challenge: challenge, code_challenge_method: 'S256' };
      const bad = await exchange((await authorize(emu, extra)).searchParams.get('code') as string, REDIRECT, {
        code_verifier: 'wrong',
      });
      expect(bad.body.error).toBe('invalid_grant');
      const good = await exchange((await authorize(emu, extra)).searchParams.get('code') as string, REDIRECT, {
        code_verifier: verifier,
      });
      expect(good.status).toBe(200);
    });

    it('rotates refresh tokens and refuses a reused one', async () => {
      const code = (await authorize(emu)).searchParams.get('code') as string;
      const first = await exchange(code);
      const refresh = (rt: string) =>
        postForm(
          emu.tokenUrl,
          { grant_type: 'refresh_token', client_id: NATIVE_APP.id, refresh_token: rt },
          { authorization: basic(NATIVE_APP.id, NATIVE_APP.secret) },
        );
      const second = await refresh(first.body.refresh_token);
      expect(second.status).toBe(200);
      expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
      expect(second.body.expires_in).toBe('3599');
      expect((await scim(emu, second.body.access_token, 'GET', '/Users')).status).toBe(200);
      const reused = await refresh(first.body.refresh_token);
      expect(reused.status).toBe(400);
      expect(reused.body.error).toBe('invalid_grant');
      expect((await refresh(second.body.refresh_token)).status).toBe(200);
    });

    it('does not redirect to an unregistered URI, and reports other errors on the redirect', async () => {
      const foreign = await fetch(
        `${emu.authorizeUrl}?client_id=${NATIVE_APP.id}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}&response_type=code`,
        { redirect: 'manual' },
      );
      expect(foreign.status).toBe(400);
      const wrongType = await authorize(emu, { response_type: 'token' });
      expect(wrongType.searchParams.get('error')).toBe('unsupported_response_type');
      expect(wrongType.searchParams.get('state')).toBe('xyz');
    });
  });
});
