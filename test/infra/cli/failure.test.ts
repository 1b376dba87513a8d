/**
 * How the CLIs end on an error: the usage text only for a usage error; a classified error's reason
 * and fix; from the spawned commands as an operator sees them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FinalError } from '../../../functions/lib/core/errors';
import { UsageError, describeCliError } from '../../../infra/cli/failure';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

describe('describeCliError', () => {
  it('prints the usage after a usage error only', () => {
    expect(describeCliError('sync', new UsageError('unexpected argument x'), 'usage: sync')).toEqual(['sync: unexpected argument x', 'usage: sync']);
    expect(describeCliError('sync', new Error('boom'), 'usage: sync')).toEqual(['sync: boom']);
  });

  it('prints a classified error\'s reason and fix, also from a bundle\'s own copy of the class', () => {
    const error = new FinalError({ code: 'InvalidClient', reason: 'client authentication failed', recommendedAction: 'check RAM_OAUTH_CLIENT_SECRET' });
    expect(describeCliError('sync', error, 'usage: sync')).toEqual(['sync: client authentication failed', 'fix: check RAM_OAUTH_CLIENT_SECRET']);
    const fromBundle = Object.assign(new Error('x'), { code: 'Throttling', reason: 'RAM throttled the call', recommendedAction: 'run it again later' });
    expect(describeCliError('start', fromBundle)).toEqual(['start: RAM throttled the call', 'fix: run it again later']);
  });
});

describe('the CLIs on an error', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'cli-failure-')); });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const cli = (script: string, args: string[], env: NodeJS.ProcessEnv) => run(tsx, [path.join(root, script), ...args], { env: { ...process.env, ...env }, cwd: root })
    .then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);

  it('npm run consent without its variables: the variables and the fix, exit 1', async () => {
    const { code, stderr } = await cli('infra/cli/consent.ts', [], { RAM_OAUTH_CLIENT_ID: '', RAM_OAUTH_CLIENT_SECRET: '' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^consent: invalid configuration: RAM_OAUTH_CLIENT_ID is required.*\nfix: set or correct the named variables/m);
  }, 30_000);

  it('npm run queue on a file that is not a queue: the reason and the fix, no usage, exit 1', async () => {
    await writeFile(path.join(dir, 'bad.sqlite'), 'not a database');
    const { code, stderr } = await cli('infra/cli/queue.ts', ['status'], { QUEUE_SQLITE_PATH: path.join(dir, 'bad.sqlite') });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^queue: cannot open the local queue at .*\nfix: check QUEUE_SQLITE_PATH/m);
    expect(stderr).not.toMatch(/usage:/);
  }, 30_000);
});
