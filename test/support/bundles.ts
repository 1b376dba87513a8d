/**
 * The functions as FC runs them: built by `npm run build`'s own code into a temp folder, loaded by
 * plain Node in a child process (a cold start per call), invoked with a Buffer event and an FC
 * context. What the handler logged comes back parsed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildFunctions } from '../../infra/build';

export interface Invocation {
  result?: unknown;
  error?: { name: string; message: string };
  logs: Record<string, unknown>[];
  stdout: string;
}

export interface Bundles {
  dir: string;
  invoke(name: string, event: unknown, options?: { env?: NodeJS.ProcessEnv; context?: object }): Promise<Invocation>;
  close(): Promise<void>;
}

const RUNNER = `
const [bundle, eventJson, contextJson] = process.argv.slice(1);
let handler;
try { ({ handler } = require(bundle)); } catch (e) { fail(e); }
if (handler) handler(Buffer.from(eventJson), JSON.parse(contextJson)).then(
  (r) => process.stdout.write('@@RESULT ' + JSON.stringify(r === undefined ? null : r) + '\\n'), fail);
function fail(e) { process.stdout.write('@@ERROR ' + JSON.stringify({ name: e && e.name, message: e && e.message }) + '\\n'); process.exitCode = 1; }
`;

export async function buildBundles(): Promise<Bundles> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bundles-'));
  await buildFunctions({ outdir: dir });
  return {
    dir,
    async invoke(name, event, options = {}) {
      const context = {
        requestId: `req-${Math.random().toString(36).slice(2, 10)}`, region: 'cn-hangzhou', accountId: '1234567890',
        credentials: {}, function: { name, handler: 'index.handler', memory: 512, timeout: 600 }, ...options.context,
      };
      const args = ['-e', RUNNER, path.join(dir, name, 'index.js'), JSON.stringify(event), JSON.stringify(context)];
      const stdout = await new Promise<string>((resolve) => {
        execFile(process.execPath, args, { env: { PATH: process.env.PATH, ...options.env }, maxBuffer: 1 << 26 }, (_e, out) => resolve(out));
      });
      const lines = stdout.split('\n').filter(Boolean);
      const tagged = (tag: string) => lines.find((l) => l.startsWith(tag))?.slice(tag.length);
      const result = tagged('@@RESULT ');
      const error = tagged('@@ERROR ');
      const logs = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      return { ...(result !== undefined ? { result: JSON.parse(result) } : {}), ...(error ? { error: JSON.parse(error) } : {}), logs, stdout };
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
