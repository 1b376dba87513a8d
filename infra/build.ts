/**
 * `npm run build`: each FC function (`functions/<name>/index.ts`) bundled by esbuild into
 * `dist/<name>/index.js`: CommonJS for the nodejs20 runtime, minified. Prints sizes.
 *
 * Source maps go to `dist/.maps/<name>/index.js.map`, outside the folder FC uploads (`code:
 * ./dist/<name>`): shipped, they were 3-6 MB per function that FC never reads, and with
 * `--enable-source-maps` Node would parse them at every cold start. The bundle's
 * `sourceMappingURL` points there, so local runs (`node --enable-source-maps`, tsx, the local
 * stack) map stack traces; a trace logged in FC can be mapped offline with the same build's map.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

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

/**
 * @middy/core imports node:stream, node:stream/promises and node:stream/web for response streaming,
 * an AWS Lambda feature FC never uses; loading them costs ~7 ms of every cold start (stream/web
 * alone ~5 ms). For middy only, each import becomes a module that requires the builtin on first use.
 */
const MIDDY_STREAMS: Record<string, string[]> = {
  'node:stream': ['Readable'], 'node:stream/promises': ['pipeline'], 'node:stream/web': ['ReadableStream'],
};
const lazyMiddyStreams: Plugin = {
  name: 'lazy-middy-streams',
  setup(b) {
    b.onResolve({ filter: /^node:stream(\/promises|\/web)?$/ }, (args) =>
      (/[\\/]@middy[\\/]core[\\/]/.test(args.importer) ? { path: args.path, namespace: 'lazy-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      loader: 'js',
      contents: `module.exports = { ${MIDDY_STREAMS[args.path]!.map((n) => `get ${n}() { return require(${JSON.stringify(args.path)}).${n}; }`).join(', ')} };`,
    }));
  },
};

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
    const mapFile = path.join(outdir, '.maps', name, 'index.js.map');
    const result = await build({
      entryPoints: [path.join(functionsDir, name, 'index.ts')],
      outfile: file, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
      // keepNames: errors are named by their class (ClassifiedError's `new.target.name`), and logs,
      // the local stack and operators read those names; minified they would read "Gt".
      minify: true, keepNames: true, sourcemap: 'external', write: false, plugins: [lazyMiddyStreams],
      legalComments: 'none', logLevel: 'warning', external: externals(options.env ?? process.env),
    });
    const code = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    const map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('.map'))!.text) as { sources: string[] };
    // esbuild wrote the sources relative to dist/<name>/; the map now lives two folders deeper.
    map.sources = map.sources.map((s) => path.relative(path.dirname(mapFile), path.resolve(path.dirname(file), s)));
    const bundle = `${code}//# sourceMappingURL=${path.relative(path.dirname(file), mapFile)}\n`;
    mkdirSync(path.dirname(file), { recursive: true });
    mkdirSync(path.dirname(mapFile), { recursive: true });
    writeFileSync(file, bundle);
    writeFileSync(mapFile, JSON.stringify(map));
    built.push({ name, file, bytes: Buffer.byteLength(bundle) });
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
