/**
 * The local stack's status page: rendered from status alone (escaping, masking, nothing external),
 * then open in a real headless Chromium against a running stack while a change travels the
 * pipeline: the queue depth and the held list on the open page follow it.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { FcAsyncQueue } from '../../../functions/lib/queue/FcAsyncQueue';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import { STATUS_PAGE_CSP, type StackStatus, isLoopbackHost, renderStatusPage, wantsHtml } from '../../../infra/local/statusPage';
import { describeInBrowser, launchBrowser } from '../../support/browser';

const SAMPLE = path.resolve(__dirname, '../../../infra/sample/directory.json');
const HOSTILE = '<img src=x onerror=alert(1)>';

const status = (over: Partial<StackStatus> = {}): StackStatus => ({
  generatedAt: '2026-12-06T03:00:00.000Z', ram: 'http://127.0.0.1:9100', dryRun: false, functions: ['push', 'full-sync'],
  functionStates: [{ name: 'push', state: 'on' }, { name: 'lark-webhook', state: 'off', switch: 'LARK_APP_ID' }],
  timers: [{ name: 'full-sync', schedule: '0 0 3 * * * in Asia/Shanghai', nextRun: '2026-12-06T19:00:00.000Z' }],
  queue: { ready: 1, leased: 0, delayed: 2, dead: 0 },
  deadLetters: { total: 0, entries: [] },
  held: { total: 0, entries: [] },
  failed: { total: 0, dropped: 0, entries: [] },
  recentLines: [],
  ...over,
});

describe('the status page (rendering)', () => {
  it('shows a hostile name as text, never as markup', () => {
    const html = renderStatusPage(status({
      held: { total: 1, entries: [{ externalId: 'file:e1', userName: HOSTILE, action: 'delete', source: 'file', since: 'now', reason: 'over budget', stepReason: HOSTILE }] },
      recentLines: [`created  ${HOSTILE} (file:e1): new`],
    }));
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('masks an email and a mobile inside a log line and a reason', () => {
    const html = renderStatusPage(status({
      recentLines: ['failed   create alice (file:e1): RAM refused alice.wang@example.cn, mobile 13812345678'],
      failed: { total: 1, dropped: 0, entries: [{ key: 'file:e1', action: 'create', reason: 'bob@example.cn taken', at: 'now', times: 1 }] },
    }));
    expect(html).not.toMatch(/@example\.cn|13812345678/);
    expect(html).toContain('[email]');
    expect(html).toContain('[phone]');
    expect(html).toContain('npm run sync -- --retry-failed file:e1');
  });

  it('names no external URL: no http(s) link, src or href beyond the values shown', () => {
    const html = renderStatusPage(status({ ram: 'http://127.0.0.1:9100' }));
    expect(html.replace('http://127.0.0.1:9100', '')).not.toMatch(/https?:|\/\/[a-z]|\bsrc=|\bhref=|@import|url\(/i);
    expect(STATUS_PAGE_CSP).toMatch(/default-src 'none'.*connect-src 'self'/);
  });

  it('shows queue depth, the functions\' state and the replay and release commands', () => {
    const html = renderStatusPage(status({
      queue: { ready: 1, leased: 0, delayed: 2, dead: 1 },
      deadLetters: { total: 1, entries: [{ id: 'b1', attempts: 5, changeCount: 2, lastReason: 'boom', failedAt: 'now' }] },
      held: { total: 1, entries: [{ externalId: 'file:e9', userName: 'x.y', action: 'suspend', source: 'file', since: 'now', reason: 'r', stepReason: 's' }] },
    }));
    expect(html).toContain('<b id="queue-depth">3</b>');
    expect(html).toContain('npm run queue -- replay --all');
    expect(html).toContain('npm run sync -- --release file:e9');
    expect(html).toContain('set <code>LARK_APP_ID</code> to turn it on');
  });

  it('answers HTML to browsers and JSON to API clients', () => {
    expect(wantsHtml('text/html,application/xhtml+xml,*/*;q=0.8')).toBe(true);
    expect(wantsHtml('*/*')).toBe(false);
    expect(wantsHtml(undefined)).toBe(false);
  });

  it('is for requests addressed to the loopback only (a rebound name keeps its own Host)', () => {
    expect(['127.0.0.1:9000', 'localhost:9000', '[::1]:9000', 'LOCALHOST'].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(['evil.example:9000', '127.0.0.1.evil.example', '', undefined].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });
});

describeInBrowser('the status page on a running local stack', () => {
  let dir: string;
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];
  const file = () => path.join(dir, 'directory.json');
  /** Waits (auto-waiting locator) until the open page shows `text` in `selector`, as it refreshes itself. */
  const shows = (selector: string, text: string | RegExp, timeout = 10_000) =>
    page.locator(selector, { hasText: text }).waitFor({ timeout });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'status-'));
    await copyFile(SAMPLE, file());
    stack = await startLocalStack({
      // No deprovision may pass the safeguard: the one this test makes is held.
      env: { ...process.env, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: file(), RAM_OAUTH_CLIENT_ID: '', SAFEGUARD_MAX_DELETES: '0' },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20, functionLog: () => undefined,
    });
    await stack.fullSync({ dryRun: false });
    browser = await launchBrowser();
    page = await browser.newPage();
    page.on('request', (r) => requested.push(r.url()));
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('binds to loopback and still answers API clients JSON with its former fields', async () => {
    expect(new URL(stack.url).hostname).toBe('127.0.0.1');
    const json = await (await fetch(stack.url)).json() as StackStatus;
    expect(json).toMatchObject({ functions: expect.arrayContaining(['push', 'full-sync']), queue: { ready: 0 }, ram: stack.ramUrl });
    expect(json.lastFullSync).toMatchObject({ trigger: 'stack', result: { created: 12 } });
    const rebound = await new Promise<number>((resolve, reject) => {
      request(stack.url, { headers: { host: 'rebound.example', accept: 'text/html' } }, (res) => { res.resume(); resolve(res.statusCode!); })
        .on('error', reject).end();
    });
    expect(rebound).toBe(403);
  });

  it('follows a change made while it is open: queue depth, then the held list', async () => {
    await page.goto(stack.url);
    await shows('#queue-depth', /^0$/);
    await shows('#held', 'nobody is held');
    await shows('#last-full-sync', 'created 12');

    // RAM answers 500 to everything: push's batch is retried with backoff, so it stays queued.
    stack.emulator!.setFaults({ rate: 1, kinds: ['500'], seed: 1 });
    const doc = JSON.parse(await readFile(file(), 'utf8')) as { people: { id: string; userName: string }[] };
    const [gone] = doc.people.splice(2, 1);
    await writeFile(file(), JSON.stringify(doc));
    await new FcAsyncQueue({ functionName: 'push', endpoint: () => stack.url, credentials: () => stack.credentials })
      .publish([{ source: 'file', kind: 'user', sourceId: gone!.id, reason: 'left' }]);
    await shows('#queue-depth', /^[1-9]\d*$/);

    stack.emulator!.setFaults(undefined);
    await shows('#queue-depth', /^0$/, 20_000);
    await shows('#held', `file:${gone!.id}`);
    await shows('#held', gone!.userName);
    await shows('#held', `npm run sync -- --release file:${gone!.id}`);
    await shows('#recent', `release with: npm run sync -- --release file:${gone!.id}`);
  }, 60_000);

  it('makes no request outside the stack\'s own origin', () => {
    expect(requested.length).toBeGreaterThan(1);
    expect(requested.filter((u) => new URL(u).origin !== stack.url)).toEqual([]);
  });
});
