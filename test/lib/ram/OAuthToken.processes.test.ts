/**
 * The Native application's refresh token shared by push instances, as FC runs them: several
 * processes cold-starting at once, each with its own FileStateStore on one directory (the NAS),
 * against an emulator that rotates refresh tokens on use (an old one answers invalid_grant). Every
 * instance must get a working access token, and what is stored at the end must be the newest
 * refresh token. Several rounds, since one lucky schedule proves little.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REFRESH_TOKEN_KEY, requestToken, type StoredRefreshToken } from '../../../functions/lib/ram/OAuthToken';
import { FileStateStore } from '../../../functions/lib/state/FileStateStore';
import { startConsent } from '../../../infra/cli/consent';
import { startRamEmulator, type RunningEmulator } from '../../../infra/emulator/RamEmulator';
import { emulatorEnv } from '../../../infra/emulator/env';
import { DEFAULT_CLIENTS } from '../../../infra/emulator/types';
import { importPath, startTsxProcess } from '../../support/tsxProcess';

const ROUNDS = 3;
const INSTANCES = 4;
const native = DEFAULT_CLIENTS.find((c) => c.type === 'native')!;

/** One push instance: builds its RAM client, says "ready", waits for the go file, makes one SCIM call. */
const INSTANCE_SCRIPT = `
import { existsSync } from 'node:fs';
import { createRamClient } from ${importPath('functions/lib/ram/RamClient.ts')};
import { parseRamConfig } from ${importPath('functions/lib/ram/config.ts')};
import { FileStateStore } from ${importPath('functions/lib/state/FileStateStore.ts')};

const [stateDir, goFile, env] = process.argv.slice(2) as string[];
(async () => {
  const ram = createRamClient(parseRamConfig(JSON.parse(env!)), { stateStore: new FileStateStore(stateDir!) });
  console.log('ready');
  while (!existsSync(goFile!)) await new Promise((r) => setTimeout(r, 2));
  try {
    await ram.findUserByExternalId('file:nobody');
    console.log('ok');
  } catch (err) {
    console.log((err as Error).message);
  }
})();
`;

/** What `npm run consent` does, with the emulator consenting at once. */
async function consent(emulator: RunningEmulator, store: FileStateStore): Promise<string> {
  const session = await startConsent({
    clientId: native.clientId, clientSecret: native.clientSecret,
    authorizeUrl: emulator.authorizeUrl, tokenUrl: emulator.tokenUrl, store, port: 0,
  });
  const redirect = await fetch(session.authorizeUrl, { redirect: 'manual' });
  await fetch(redirect.headers.get('location')!);
  await session.done;
  return (await store.get<StoredRefreshToken>(REFRESH_TOKEN_KEY))!.refreshToken;
}

describe('a single-use refresh token shared by instances on one state directory', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'refresh-')); });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it(`${INSTANCES} instances refreshing at once all get a token, and the newest refresh token is stored (${ROUNDS} rounds)`, async () => {
    const script = join(dir, 'instance.ts');
    await writeFile(script, INSTANCE_SCRIPT);
    for (let round = 0; round < ROUNDS; round++) {
      const emulator = await startRamEmulator();
      try {
        const stateDir = join(dir, `round-${round}`);
        const goFile = join(stateDir, 'go');
        const store = new FileStateStore(stateDir);
        const consented = await consent(emulator, store);
        const env = JSON.stringify({
          ...emulatorEnv(emulator.url), RAM_OAUTH_GRANT: 'refresh_token',
          RAM_OAUTH_CLIENT_ID: native.clientId, RAM_OAUTH_CLIENT_SECRET: native.clientSecret,
        });
        const instances = Array.from({ length: INSTANCES }, () => startTsxProcess(script, [stateDir, goFile, env]));
        await Promise.all(instances.map((i) => i.ready));
        await writeFile(goFile, '');
        expect((await Promise.all(instances.map((i) => i.done))).map((d) => d.out)).toEqual(Array(INSTANCES).fill('ok'));

        // The emulator honours only the newest refresh token: the stored one must still work.
        const stored = (await store.get<StoredRefreshToken>(REFRESH_TOKEN_KEY))!.refreshToken;
        expect(stored).not.toBe(consented);
        await expect(requestToken(
          { tokenUrl: emulator.tokenUrl, clientId: native.clientId, clientSecret: native.clientSecret },
          { grant_type: 'refresh_token', refresh_token: stored },
        )).resolves.toMatchObject({ accessToken: expect.any(String) });
      } finally {
        await emulator.close();
      }
    }
  }, 120_000);
});
