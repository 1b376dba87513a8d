import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const run = promisify(execFile);
const lib = (module: string) => JSON.stringify(path.resolve(__dirname, '../../../functions/lib', module));

/**
 * The handlers as FC runs them: bundled by esbuild into CommonJS (as `npm run build` does, with
 * the ESM-only @middy/core inlined), loaded by plain Node, called with a Buffer event.
 */
describe('the FC glue in an esbuild CommonJS bundle', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fc-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bundles middy in and answers HTTP and event invocations under plain Node', async () => {
    const entry = path.join(dir, 'entry.ts');
    writeFileSync(entry, `
      import { eventHandler, httpHandler } from ${lib('fc/handlers.ts')};
      import { unauthorized } from ${lib('core/http.ts')};
      export const http = httpHandler('hook', async (req) => {
        if (req.headers['x-sig'] !== 'ok') throw unauthorized('bad signature');
        return { status: 200, headers: { 'content-type': 'application/xml' }, body: '<ok>' + req.rawBody.length + '</ok>' };
      });
      export const event = eventHandler('push', async (e: { n: number }) => ({ doubled: e.n * 2 }));
    `);
    const outfile = path.join(dir, 'index.js');
    await build({
      entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, logLevel: 'silent',
    });
    const bundle = readFileSync(outfile, 'utf8');
    expect(bundle).not.toMatch(/require\(["']@middy\/core["']\)/);
    expect(bundle.length).toBeLessThan(60 * 1024);

    const script = `
      const { http, event } = require(${JSON.stringify(outfile)});
      const httpEvent = { version: 'v1', rawPath: '/hook', headers: { 'X-Sig': 'ok' }, queryParameters: {},
        body: Buffer.from([1, 2, 255]).toString('base64'), isBase64Encoded: true,
        requestContext: { requestId: 'r1', http: { method: 'POST', path: '/hook' } } };
      (async () => {
        const ok = await http(Buffer.from(JSON.stringify(httpEvent)), { requestId: 'r1', credentials: {} });
        httpEvent.headers = {};
        const refused = await http(Buffer.from(JSON.stringify(httpEvent)), { requestId: 'r2', credentials: {} });
        const doubled = await event(Buffer.from('{"n":21}'), { requestId: 'r3', credentials: {} });
        process.stderr.write(JSON.stringify({ ok, refused, doubled }));
      })();
    `;
    const { stdout, stderr } = await run(process.execPath, ['-e', script], { env: { ...process.env, LOG_LEVEL: 'info' } });
    const { ok, refused, doubled } = JSON.parse(stderr);
    expect(ok).toEqual({ statusCode: 200, headers: { 'content-type': 'application/xml' }, body: '<ok>3</ok>' });
    expect(refused.statusCode).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({ error: 'unauthorized', message: 'bad signature', requestId: 'r2' });
    expect(doubled).toEqual({ doubled: 42 });
    // The module logger writes JSON lines to stdout, where FC collects them.
    const logged = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.map((l) => [l.msg, l.requestId])).toEqual([
      ['invocation start', 'r1'], ['invocation end', 'r1'],
      ['invocation start', 'r2'], ['request refused', 'r2'],
      ['invocation start', 'r3'], ['invocation end', 'r3'],
    ]);
  });
});
