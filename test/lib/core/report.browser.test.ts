/**
 * The plan report in a real headless Chromium: what a reviewer sees matches the plan, the filters
 * narrow the rows, nothing is fetched, hostile names stay text, and printing shows every row.
 */
import type { Browser, Page } from 'playwright-core';
import type { UserStep } from '../../../functions/lib/core/plan';
import { renderPlanReport } from '../../../functions/lib/core/report';
import { describeInBrowser, launchBrowser } from '../../support/browser';
import { HOSTILE, reportConfig, samplePlan } from '../../support/reportPlans';

describeInBrowser('the plan report in a browser', () => {
  const plan = samplePlan(60);
  const html = renderPlanReport({ plan, runId: 'run-b', madeAt: '2026-12-06T03:00:00.000Z', dryRun: true, config: reportConfig() });
  const changing = plan.steps.filter((s) => s.action !== 'noop');
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
    page.on('request', (r) => { if (!r.url().startsWith('data:') && r.url() !== 'about:blank') requests.push(r.url()); });
    // A dialog would be a hostile name's script running: record it (and dismiss it so nothing hangs).
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await page.setContent(html, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]');
  }, 30_000);
  afterAll(() => browser?.close());

  const rowCount = () => page.locator('#steps-body tr').count();

  it('shows the counts of the plan in its charts', async () => {
    const bars = await page.locator('[data-chart="action"] .bar').evaluateAll((gs) =>
      Object.fromEntries(gs.map((g) => [g.getAttribute('data-label'), Number(g.getAttribute('data-count'))])));
    expect(bars).toMatchObject({ create: plan.summary.create, update: plan.summary.update, staged: plan.summary.staged, unchanged: plan.summary.noop });
    // The number beside each bar is the count, and a longer bar means a larger count.
    const create = page.locator('[data-chart="action"] .bar[data-label="create"]');
    expect(await create.locator('text').nth(1).textContent()).toBe(String(plan.summary.create));
    const width = (label: string) => page.locator(`[data-chart="action"] .bar[data-label="${label}"] rect`).evaluate((r) => Number(r.getAttribute('width')));
    expect(await width('unchanged')).toBeGreaterThan(await width('create'));
  });

  it('shows every changing step, and narrows them by action, source, department and search', async () => {
    expect(await rowCount()).toBe(changing.length);
    await page.selectOption('#f-action', 'create');
    expect(await rowCount()).toBe(plan.summary.create);
    await page.selectOption('#f-action', '');
    await page.selectOption('#f-source', 'dingtalk');
    expect(await rowCount()).toBe(changing.filter((s) => s.kind === 'user' && s.source === 'dingtalk').length);
    await page.selectOption('#f-source', '');
    await page.selectOption('#f-department', 'Engineering');
    expect(await rowCount()).toBe(changing.filter((s) => s.kind === 'user' && s.groups.add.includes('eng')).length + 1);
    await page.selectOption('#f-department', '');
    await page.fill('#f-search', 'user21');
    expect(await rowCount()).toBe(1);
    await page.fill('#f-search', '');
    await page.check('#f-noop');
    expect(await rowCount()).toBe(plan.steps.length);
    await page.uncheck('#f-noop');
  });

  it('sorts by a column when its heading is clicked', async () => {
    await page.click('#steps th:nth-child(2)');
    const names = await page.locator('#steps-body tr td:nth-child(2) b').allTextContents();
    expect(names).toEqual([...names].sort());
  });

  it('renders hostile names as text and runs none of them', async () => {
    await page.fill('#f-search', 'onerror');
    expect(await page.locator('#steps-body b').allTextContents()).toEqual([HOSTILE]);
    expect(await page.locator('#held').textContent()).toContain(HOSTILE);
    expect(await page.locator('img').count()).toBe(0);
    await page.fill('#f-search', '');
    expect(dialogs).toEqual([]);
  });

  it('makes no network request', () => {
    expect(requests).toEqual([]);
  });

  it('prints every row of the current view', async () => {
    const held = plan.steps.filter((s): s is UserStep => s.kind === 'user' && s.staged === true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.controls').isVisible()).toBe(false);
    expect(await page.locator('#steps-body tr').evaluateAll((trs) => trs.filter((tr) => (tr as unknown as { offsetHeight: number }).offsetHeight > 0).length))
      .toBe(changing.length);
    expect(await page.locator('#held tbody tr').count()).toBe(held.length);
    const pdf = await page.pdf();
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.emulateMedia({ media: 'screen' });
  });
});
