/**
 * The local stack's status page: what `GET /` on PORT answers a browser. Pure (status → HTML), so
 * the stack gathers and this only renders. Rules:
 * - self-contained: no external script, style, font or image; the CSP header (`STATUS_PAGE_CSP`)
 *   lets the page load nothing and reach nothing but its own origin, so a value that slipped past
 *   escaping still could not run or call out;
 * - every value is escaped (`escapeHtml`), and free text (reasons, log lines) is masked again
 *   (`maskText`): no email, mobile or secret reaches the page even from a line that kept one;
 * - it refreshes itself: a small inline script fetches `GET /` as HTML every 2 s and swaps `<main>`.
 *   HTML rather than JSON, so there is one renderer (this one, escaping in one place) instead of a
 *   second in browser JavaScript; the scroll position stays, and a stopped stack shows a banner
 *   instead of the browser's error page (meta refresh would do neither). Without JavaScript a
 *   `<noscript>` meta refresh takes over.
 */
import { createHash } from 'node:crypto';
import { maskText } from '../../functions/lib/core/redact';
import type { HeldEntry } from '../../functions/lib/core/safeguard';
import type { QueueStats } from '../../functions/lib/queue/SqliteQueue';
import type { FullSyncResult } from '../../functions/lib/sync/entrances';

/** How often the open page asks for a fresh copy. */
export const REFRESH_MS = 2_000;
/** Rows shown per list; the total is always shown. */
export const MAX_ROWS = 200;

export type FunctionState =
  | { name: string; state: 'on' }
  | { name: string; state: 'off'; switch?: string }
  | { name: string; state: 'error'; message: string }
  | { name: string; state: 'not built' };

export interface TimerStatus {
  name: string;
  /** For people: "every 5 minutes", "0 0 3 * * * in Asia/Shanghai, next …". */
  schedule: string;
  /** ISO time of the next run; absent when the timer is not running. */
  nextRun?: string;
  /** Why it is not running (dry run, off). */
  notRunning?: string;
  lastRun?: { at: string; error?: string };
}

export interface LastFullSync extends Pick<FullSyncResult, 'runId' | 'dryRun' | 'plan' | 'safeguard' | 'result'> {
  at: string;
  /** What ran it: the stack's own full sync (start-up, a test) or a timer run. */
  trigger: 'stack' | 'timer';
}

/** Everything the page shows; also the JSON `GET /` answers API clients (with `functions`, `queue`, `ram` as before). */
export interface StackStatus {
  generatedAt: string;
  ram: string;
  dryRun: boolean;
  /** The functions that run here (names), as `GET /` always answered. */
  functions: string[];
  functionStates: FunctionState[];
  timers: TimerStatus[];
  queue: QueueStats;
  deadLetters: { total: number; entries: { id: string; attempts: number; changeCount: number; lastReason: string; failedAt: string }[] };
  held: { total: number; entries: Pick<HeldEntry, 'externalId' | 'userName' | 'action' | 'source' | 'since' | 'reason' | 'stepReason'>[] };
  failed: { total: number; dropped: number; entries: { key: string; action: string; reason: string; recommendedAction?: string; at: string; times: number }[] };
  lastFullSync?: LastFullSync;
  /** The most recent provisioning lines (and warnings, errors), one line for a person each, newest last. */
  recentLines: string[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in element content and in quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Escaped, after masking contact details and secrets: for every value that is free text. */
const text = (value: unknown) => escapeHtml(maskText(String(value ?? '')));

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1rem 2rem;color:#222}
h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.5rem}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.2rem .6rem;text-align:left;vertical-align:top}
.on{color:#176f2c}.off{color:#777}.error{color:#b00020}code{background:#f3f3f3;padding:0 .2rem}
#stale{display:none;background:#fff3cd;padding:.4rem}pre{background:#f7f7f7;padding:.5rem;overflow-x:auto}
.depth b{font-size:1.2rem}`;

// Fetches the page again and swaps <main>; the parsed copy's scripts never run (DOMParser).
const SCRIPT = `setInterval(async()=>{const s=document.getElementById('stale');
try{const r=await fetch('/',{headers:{accept:'text/html'},cache:'no-store'});
if(!r.ok)throw new Error(String(r.status));
const d=new DOMParser().parseFromString(await r.text(),'text/html');
document.querySelector('main').replaceWith(d.querySelector('main'));s.style.display='none';}
catch(e){s.style.display='block';}},${REFRESH_MS});`;

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

/** The page may run only its own script and style, and connect only to its own origin. */
export const STATUS_PAGE_CSP = `default-src 'none'; script-src ${sha256(SCRIPT)}; style-src ${sha256(STYLE)}; ` +
  "connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Whether a request asked for HTML (a browser) rather than JSON (an API client, `curl`, fetch's default). */
export function wantsHtml(accept: string | undefined): boolean {
  return /\btext\/html\b/i.test(accept ?? '');
}

/**
 * Whether a request's Host names the loopback. The stack binds to 127.0.0.1, but a web page can
 * rebind its own name to 127.0.0.1 and read what it fetches; its Host header still carries its name.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  return /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i.test(host ?? '');
}

/** The whole page for `status`. */
export function renderStatusPage(status: StackStatus): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ram-scim-sync local stack</title>
<noscript><meta http-equiv="refresh" content="${REFRESH_MS / 1000}"></noscript>
<style>${STYLE}</style></head>
<body><h1>ram-scim-sync local stack</h1>
<p id="stale">The stack is not answering: showing the last status it gave.</p>
${renderMain(status)}
<script>${SCRIPT}</script></body></html>`;
}

function renderMain(s: StackStatus): string {
  return `<main>
<p>RAM: <code>${text(s.ram)}</code>${s.dryRun ? ' · <b>dry run</b>: real RAM, started without --apply; nothing is written' : ''}
 · as of <time>${escapeHtml(s.generatedAt)}</time></p>
${functions(s.functionStates)}
${timers(s.timers)}
${queue(s.queue, s.deadLetters)}
${held(s.held)}
${failed(s.failed)}
${lastFullSync(s.lastFullSync)}
${recent(s.recentLines)}
</main>`;
}

function table(id: string, head: string[], rows: string[][], total: number, empty: string): string {
  if (rows.length === 0) return `<p id="${id}">${escapeHtml(empty)}</p>`;
  const more = total > rows.length ? `<p>and ${total - rows.length} more</p>` : '';
  return `<table id="${id}"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>
${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>${more}`;
}

function functions(states: FunctionState[]): string {
  const detail = (f: FunctionState) => (f.state === 'off' ? (f.switch ? `set <code>${escapeHtml(f.switch)}</code> to turn it on` : '')
    : f.state === 'error' ? text(f.message) : f.state === 'not built' ? 'its source has not landed' : '');
  return `<h2>Functions</h2>${table('functions', ['function', 'state', ''],
    states.map((f) => [escapeHtml(f.name), `<span class="${f.state === 'not built' ? 'off' : f.state}">${escapeHtml(f.state)}</span>`, detail(f)]),
    states.length, 'no functions')}`;
}

function timers(list: TimerStatus[]): string {
  return `<h2>Timers</h2>${table('timers', ['function', 'schedule', 'next run', 'last run'], list.map((t) => [
    escapeHtml(t.name), escapeHtml(t.schedule), t.nextRun ? escapeHtml(t.nextRun) : escapeHtml(t.notRunning ?? 'not running'),
    t.lastRun ? `${escapeHtml(t.lastRun.at)}${t.lastRun.error ? ` <span class="error">${text(t.lastRun.error)}</span>` : ' ok'}` : '',
  ]), list.length, 'no timer functions')}`;
}

function queue(q: QueueStats, dead: StackStatus['deadLetters']): string {
  const depth = q.ready + q.leased + q.delayed;
  return `<h2>Queue</h2>
<p class="depth">depth <b id="queue-depth">${depth}</b>: ready <span id="queue-ready">${q.ready}</span>,
 leased <span id="queue-leased">${q.leased}</span>, delayed <span id="queue-delayed">${q.delayed}</span>;
 dead letters <span id="queue-dead">${q.dead}</span></p>
<h2>Dead letters</h2>${dead.total ? '<p>Put them back on the queue: <code>npm run queue -- replay --all</code></p>' : ''}
${table('dead-letters', ['failed at', 'batch', 'changes', 'attempts', 'last reason'], dead.entries.map((d) => [
    escapeHtml(d.failedAt), escapeHtml(d.id), String(d.changeCount), String(d.attempts), text(d.lastReason),
  ]), dead.total, 'none')}`;
}

function held(h: StackStatus['held']): string {
  const release = h.entries.length === 1 ? escapeHtml(h.entries[0]!.externalId) : '&lt;externalId&gt;… | all';
  return `<h2>Held by the deletion safeguard</h2>${h.total ? `<p>Release: <code>npm run sync -- --release ${release}</code></p>` : ''}
${table('held', ['since', 'action', 'user', 'external id', 'why', 'release'], h.entries.map((e) => [
    escapeHtml(e.since), escapeHtml(e.action), escapeHtml(e.userName), escapeHtml(e.externalId),
    `${text(e.reason)}; ${text(e.stepReason)}`, `<code>npm run sync -- --release ${escapeHtml(e.externalId)}</code>`,
  ]), h.total, 'nobody is held')}`;
}

function failed(f: StackStatus['failed']): string {
  const dropped = f.dropped ? `<p>${f.dropped} older entries were dropped (the logs have them).</p>` : '';
  return `<h2>Push's failed list</h2>${f.total ? '<p>Run them again once the cause is fixed: <code>npm run sync -- --retry-failed &lt;key&gt;… | all</code></p>' : ''}
${table('failed', ['since', 'key', 'step', 'times', 'why', 'what to do', 'retry'], f.entries.map((e) => [
    escapeHtml(e.at), escapeHtml(e.key), escapeHtml(e.action), String(e.times), text(e.reason), text(e.recommendedAction ?? ''),
    `<code>npm run sync -- --retry-failed ${escapeHtml(e.key)}</code>`,
  ]), f.total, 'nothing failed')}${dropped}`;
}

function lastFullSync(last: LastFullSync | undefined): string {
  if (!last) return '<h2>Last full sync</h2><p id="last-full-sync">none since the stack started</p>';
  const p = last.plan;
  const planned = `create ${p.create}, update ${p.update}, delete ${p.delete}, suspend ${p.suspend}, restore ${p.restore}, unchanged ${p.noop}, staged ${p.staged}`;
  const r = last.result;
  const applied = r ? `created ${r.created}, updated ${r.updated}, deleted ${r.deleted}, suspended ${r.suspended}, restored ${r.restored}, `
    + `unchanged ${r.unchanged}, failed ${r.failed}, staged ${r.staged}` : 'nothing applied (dry run)';
  return `<h2>Last full sync</h2><dl id="last-full-sync">
<dt>when</dt><dd>${escapeHtml(last.at)} (${last.trigger === 'timer' ? 'reconcile timer' : 'the stack\'s full sync'}${last.dryRun ? ', dry run' : ''}), run <code>${escapeHtml(last.runId)}</code></dd>
<dt>plan</dt><dd>${escapeHtml(planned)}</dd><dt>result</dt><dd>${escapeHtml(applied)}</dd>
${last.safeguard?.held ? `<dt>safeguard</dt><dd>${text(last.safeguard.reason)}</dd>` : ''}</dl>`;
}

function recent(lines: string[]): string {
  return `<h2>Recent provisioning lines</h2>${lines.length
    ? `<pre id="recent">${lines.map(text).join('\n')}</pre>` : '<p id="recent">none yet</p>'}`;
}
