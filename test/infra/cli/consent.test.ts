import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRamEmulator, type RunningEmulator } from '../../../infra/emulator/RamEmulator';
import { ConsentError, startConsent, type ConsentSession } from '../../../infra/cli/consent';
import { parseRamConfig } from '../../../functions/lib/ram/config';
import { REFRESH_TOKEN_KEY, type StoredRefreshToken } from '../../../functions/lib/ram/OAuthToken';
import { createRamClient } from '../../../functions/lib/ram/RamClient';
import { FileStateStore } from '../../../functions/lib/state/FileStateStore';

describe('consent (Native application)', () => {
  let emu: RunningEmulator;
  let dir: string;
  let store: FileStateStore;
  let session: ConsentSession | undefined;

  beforeEach(async () => {
    emu = await startRamEmulator();
    dir = await mkdtemp(join(tmpdir(), 'consent-'));
    store = new FileStateStore(dir);
  });
  afterEach(async () => {
    await session?.close();
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = () => startConsent({
    clientId: 'emulator-native', clientSecret: 'emulator-native-secret',
    authorizeUrl: emu.authorizeUrl, tokenUrl: emu.tokenUrl, store, port: 0,
  });

  /** What the admin's browser does: open the authorize URL, follow the redirect to our callback. */
  async function browse(url: string): Promise<Response> {
    const consent = await fetch(url, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    return fetch(consent.headers.get('location')!);
  }

  it('stores a refresh token that the refresh_token grant then uses for SCIM', async () => {
    session = await start();
    const url = new URL(session.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code', client_id: 'emulator-native', redirect_uri: session.redirectUri, scope: '/acs/scim',
    });
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{16,}$/);

    const callback = await browse(session.authorizeUrl);
    expect(callback.status).toBe(200);
    expect(await callback.text()).not.toMatch(/token/i);
    await session.done;
    const stored = await store.get<StoredRefreshToken>(REFRESH_TOKEN_KEY);
    expect(stored?.refreshToken).toEqual(expect.any(String));

    const ram = createRamClient(parseRamConfig({
      RAM_SCIM_URL: emu.scimUrl, RAM_OAUTH_TOKEN_URL: emu.tokenUrl, RAM_OAUTH_GRANT: 'refresh_token',
      RAM_OAUTH_CLIENT_ID: 'emulator-native', RAM_OAUTH_CLIENT_SECRET: 'emulator-native-secret',
    }), { stateStore: store });
    await ram.createUser({ userName: 'alice', displayName: 'Alice', externalId: 'ad:1' });
    expect(emu.state.snapshot().users.map((u) => u.userName)).toEqual(['alice']);
    // The emulator rotates refresh tokens: the spent one was replaced before the access token was used.
    expect((await store.get<StoredRefreshToken>(REFRESH_TOKEN_KEY))?.refreshToken).not.toBe(stored?.refreshToken);
  });

  it('refuses a redirect with another state and keeps waiting for the real one', async () => {
    session = await start();
    const forged = await fetch(`${session.redirectUri}?code=abc&state=forged`);
    expect(forged.status).toBe(400);
    expect((await browse(session.authorizeUrl)).status).toBe(200);
    await session.done;
    expect(await store.get(REFRESH_TOKEN_KEY)).toBeDefined();
  });

  it('fails when the admin refuses consent', async () => {
    session = await start();
    const state = new URL(session.authorizeUrl).searchParams.get('state')!;
    const outcome = session.done.catch((e: unknown) => e);
    expect((await fetch(`${session.redirectUri}?error=access_denied&state=${state}`)).status).toBe(400);
    expect(await outcome).toBeInstanceOf(ConsentError);
    expect(await store.get(REFRESH_TOKEN_KEY)).toBeUndefined();
  });
});
