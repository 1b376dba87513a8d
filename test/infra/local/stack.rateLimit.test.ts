/**
 * `npm start` with EMULATOR_RATE_LIMIT: the emulator the local stack starts throttles the account
 * like `npm run emulator` does, so the product's RAM_RATE_LIMIT can be tried against it locally.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalStack } from '../../../infra/local/stack';
import { scimToken } from '../emulator/helpers';

const SAMPLE = path.resolve(__dirname, '../../../infra/sample/directory.json');

describe('the local stack with EMULATOR_RATE_LIMIT', () => {
  it('starts its emulator with the account-wide rate: a burst beyond it is answered 429', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'stack-rate-'));
    const stack = await startLocalStack({
      env: { ...process.env, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: SAMPLE, RAM_OAUTH_CLIENT_ID: '', EMULATOR_RATE_LIMIT: '1' },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), timers: {},
    });
    try {
      const emu = stack.emulator!;
      const token = await scimToken(emu);
      // One second's worth (one request) in the bucket: most of a burst of five is refused.
      const statuses = await Promise.all(
        Array.from({ length: 5 }, () => fetch(`${emu.scimUrl}/Users`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status)),
      );
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(4);
      expect(emu.counters.throttled).toBeGreaterThanOrEqual(4);
    } finally {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
