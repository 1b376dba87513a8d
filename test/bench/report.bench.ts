/**
 * The plan report at scale: size and generation time for N planned people (10% new, 10% renamed,
 * 10% gone and held, the rest unchanged), the size of full-sync's `{"report": true}` answer for them,
 * and, in headless Chromium, time to first render and to apply a filter for M steps.
 * Usage: tsx test/bench/report.bench.ts 100000 10000  → one JSON line.
 */
import { gzipSync } from 'node:zlib';
import { renderPlanReport } from '../../functions/lib/core/report';
import { reportPayload } from '../../functions/lib/core/reportPayload';
import { CHROMIUM_PATH, launchBrowser } from '../support/browser';
import { reportConfig, samplePlan } from '../support/reportPlans';

const people = Number(process.argv[2] ?? 100_000);
const browserSteps = Number(process.argv[3] ?? 10_000);
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const input = (n: number) => ({ plan: samplePlan(n), runId: 'bench', madeAt: new Date().toISOString(), dryRun: true, config: reportConfig() });

function generation() {
  const big = input(people);
  const started = process.hrtime.bigint();
  const html = renderPlanReport(big);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const payload = Buffer.byteLength(JSON.stringify(reportPayload(big.plan, { madeAt: big.madeAt, config: big.config })));
  return {
    people, steps: big.plan.steps.length, ms: Math.round(ms), htmlMb: mb(Buffer.byteLength(html)), gzipMb: mb(gzipSync(html).length),
    remoteAnswerMb: mb(payload),
  };
}

async function inBrowser() {
  if (!CHROMIUM_PATH) return undefined;
  const html = renderPlanReport(input(browserSteps));
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const started = Date.now();
    await page.setContent(html, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]');
    const firstRenderMs = Date.now() - started;
    // Rendering is synchronous in the change handler, so the time around dispatchEvent is the filter's.
    const timed = (script: string) => page.evaluate(script) as Promise<number>;
    const change = (selector: string, set: string) => `(() => { const el = document.querySelector('${selector}'); ${set};
      const t = performance.now(); el.dispatchEvent(new Event(el.type === 'search' ? 'input' : 'change')); return performance.now() - t; })()`;
    const showAllMs = await timed(change('#f-noop', 'el.checked = true'));
    const rowsAll = await page.locator('#steps-body tr').count();
    const filterMs = await timed(change('#f-action', "el.value = 'create'"));
    const searchMs = await timed(change('#f-search', "el.value = 'user12'"));
    return {
      steps: browserSteps, firstRenderMs, showAllMs: Math.round(showAllMs), rowsAll,
      filterActionMs: Math.round(filterMs), searchMs: Math.round(searchMs),
    };
  } finally {
    await browser.close();
  }
}

void (async () => {
  const gen = generation();
  console.log(JSON.stringify({ bench: 'report', generation: gen, browser: await inBrowser() ?? null }));
})();
