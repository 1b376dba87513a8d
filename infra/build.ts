/**
 * `npm run build`: each FC function (`functions/<name>/index.ts`) bundled by esbuild into
 * `dist/<name>/index.js`: CommonJS for the nodejs20 runtime, minified, with a source map. Prints sizes.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..');
const functionsDir = path.join(root, 'functions');

/**
 * Never bundled: `proxy-agent` is an optional lazy require inside @alicloud/fc2's HTTP stack (urllib)
 * that is never reached; better-sqlite3 is the local queue's native module and must not reach FC.
 * The FC 2.0 SDK (ali-oss, urllib: megabytes) only when asked: `FC_BUNDLE_FC2=1 npm run build`.
 */
function externals(env: NodeJS.ProcessEnv): string[] {
  return ['proxy-agent', 'better-sqlite3', ...(env.FC_BUNDLE_FC2 === '1' ? [] : ['@alicloud/fc2'])];
}

export interface BuiltFunction {
  name: string;
  file: string;
  bytes: number;
}

export function functionNames(): string[] {
  return readdirSync(functionsDir)
    .filter((name) => name !== 'lib' && existsSync(path.join(functionsDir, name, 'index.ts')))
    .sort();
}

export async function buildFunctions(options: { outdir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<BuiltFunction[]> {
  const outdir = options.outdir ?? path.join(root, 'dist');
  const built: BuiltFunction[] = [];
  for (const name of functionNames()) {
    const file = path.join(outdir, name, 'index.js');
    await build({
      entryPoints: [path.join(functionsDir, name, 'index.ts')],
      outfile: file, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
      // keepNames: errors are named by their class (ClassifiedError's `new.target.name`), and logs,
      // the local stack and operators read those names; minified they would read "Gt".
      minify: true, keepNames: true, sourcemap: true, legalComments: 'none', logLevel: 'warning', external: externals(options.env ?? process.env),
    });
    built.push({ name, file, bytes: statSync(file).size });
  }
  return built;
}

async function main(): Promise<void> {
  const built = await buildFunctions();
  for (const f of built) console.log(`dist/${f.name}/index.js  ${(f.bytes / 1024).toFixed(1)} KiB`);
  if (built.length === 0) console.log('no FC function folders (functions/<name>/index.ts); nothing to bundle');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
