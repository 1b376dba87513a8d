/**
 * One of our CLIs (`infra/cli/<name>.ts`) as its own process through tsx, as an operator runs it:
 * its exit code and everything it printed (stdout then stderr).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/** @example const { code, out } = await runCli('infra/cli/queue.ts', ['dlq'], { ...process.env, PUSH_DLQ_URL }); */
export async function runCli(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [path.join(ROOT, script), ...args], { env, cwd: ROOT });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}
