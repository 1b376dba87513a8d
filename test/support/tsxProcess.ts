/**
 * A TypeScript script in its own Node process (through tsx), as FC runs each instance: for tests
 * that race real processes on one state directory. The script prints `ready` once it has built its
 * clients, then waits for a go signal of the test's choosing, so every process starts together.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/** A module of this repository as a quoted absolute path, for an import inside a written script. */
export const importPath = (path: string): string => JSON.stringify(join(ROOT, path));

export interface TsxProcess {
  /** Resolves when the script printed `ready`; rejects if it ended first. */
  ready: Promise<void>;
  /** What it printed after `ready` (trimmed) and its exit code. */
  done: Promise<{ code: number | null; out: string }>;
}

export function startTsxProcess(script: string, args: string[]): TsxProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let markReady: () => void;
  const ready = new Promise<void>((r) => { markReady = r; });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (out.startsWith('ready\n')) markReady();
  });
  const done = new Promise<{ code: number | null; out: string }>((ok) => child.once('exit', (code) => {
    ok({ code, out: out.startsWith('ready\n') ? out.slice('ready\n'.length).trim() : out.trim() });
  }));
  return { ready: Promise.race([ready, done.then(({ out: o }) => { throw new Error(`ended before it was ready: ${o}`); })]), done };
}
