/**
 * Bundles leave the FC 2.0 SDK out unless FC_BUNDLE_FC2=1 (it is megabytes). A function configured
 * for FC 2.0 in a bundle without it must stop at cold start naming the fix, not fail per request.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const factory = path.resolve(__dirname, '../../../functions/lib/queue/factory.ts');
const config = path.resolve(__dirname, '../../../functions/lib/queue/config.ts');

describe('the FC 2.0 queue in a bundle', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'fc2-')); });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const bundle = async (withFc2: boolean) => {
    const entry = path.join(dir, 'entry.ts');
    await writeFile(entry, `
      import { createFcQueue } from ${JSON.stringify(factory)};
      import { parseQueueConfig } from ${JSON.stringify(config)};
      createFcQueue(parseQueueConfig({ QUEUE_KIND: 'fc2', PUSH_SERVICE_NAME: 'svc' }),
        { accountId: () => '1', region: () => 'cn-hangzhou', credentials: () => ({ accessKeyId: 'a', accessKeySecret: 'b' }) });
      console.log('ready');`);
    const outfile = path.join(dir, withFc2 ? 'with.js' : 'without.js');
    await build({
      entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent',
      external: ['proxy-agent', ...(withFc2 ? [] : ['@alicloud/fc2'])],
    });
    return outfile;
  };

  it('stops at cold start naming QUEUE_KIND and the rebuild when the SDK was left out', async () => {
    const file = await bundle(false);
    await expect(promisify(execFile)(process.execPath, [file], { cwd: dir }))
      .rejects.toMatchObject({ stderr: expect.stringMatching(/QUEUE_KIND is fc2, but this bundle was built without the FC 2\.0 SDK: rebuild with FC_BUNDLE_FC2=1/) });
  }, 30_000);

  it('starts when the SDK is bundled in', async () => {
    const file = await bundle(true);
    const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: dir });
    expect(stdout.trim()).toBe('ready');
  }, 30_000);
});
