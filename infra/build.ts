/**
 * `npm run build`: each FC function (`functions/<name>/index.ts`) bundled by esbuild into
 * `dist/<name>/index.js`: CommonJS for the nodejs20 runtime, minified, with a source map. Prints sizes.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..');
const functionsDir = path.join(root, 'functions');

export function functionNames(): string[] {
  return readdirSync(functionsDir)
    .filter((name) => name !== 'lib' && existsSync(path.join(functionsDir, name, 'index.ts')))
    .sort();
}

async function main(): Promise<void> {
  const names = functionNames();
  if (names.length === 0) {
    console.log('no FC function folders yet (functions/<name>/index.ts); nothing to bundle');
    return;
  }
  for (const name of names) {
    const outfile = path.join(root, 'dist', name, 'index.js');
    await build({
      entryPoints: [path.join(functionsDir, name, 'index.ts')],
      outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
      minify: true, sourcemap: true, legalComments: 'none', logLevel: 'warning',
    });
    console.log(`dist/${name}/index.js  ${(statSync(outfile).size / 1024).toFixed(1)} KiB`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
