/**
 * The plan report as text: escaped, masked, counted, and self-contained. Its behaviour in a real
 * browser is in report.browser.test.ts.
 */
import type { UserStep } from '../../../functions/lib/core/plan';
import { jsonForScript, renderPlanReport } from '../../../functions/lib/core/report';
import { reportData } from '../../../functions/lib/core/reportData';
import { HOSTILE, reportConfig, samplePlan } from '../../support/reportPlans';

const input = (over = {}) => ({ plan: samplePlan(), runId: 'run-1', madeAt: '2026-12-06T03:00:00.000Z', dryRun: true, config: reportConfig(), ...over });
const dataIsland = (html: string) => JSON.parse(/<script type="application\/json" id="plan-data">(.*?)<\/script>/s.exec(html)![1]!) as unknown[][];

describe('renderPlanReport', () => {
  const html = renderPlanReport(input());

  it('never lets a directory value become markup: names are text in the page and in the data island', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // One closing script tag per script element: a name cannot end the data island.
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(dataIsland(html).some((r) => r[4] === HOSTILE)).toBe(true);
    expect(jsonForScript({ a: '</script><!--\u2028' })).toBe('{"a":"\\u003c/script>\\u003c!--\\u2028"}');
  });

  it('masks email and mobile wherever a display name carries them', () => {
    expect(html).not.toContain('li.lei@corp.example.com');
    expect(html).not.toContain('13812345678');
    expect(dataIsland(html).some((r) => String(r[5]).includes('[email]') && String(r[5]).includes('[phone]'))).toBe(true);
  });

  it('refers to nothing outside the file', () => {
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
  });

  it('charts the plan\'s counts, by action, source and department', () => {
    const plan = samplePlan();
    const bar = (chart: string, label: string) => new RegExp(`data-chart="${chart}".*?data-label="${label}" data-count="(\\d+)"`, 's').exec(html)?.[1];
    expect(Number(bar('action', 'create'))).toBe(plan.summary.create);
    expect(Number(bar('action', 'staged'))).toBe(plan.summary.staged);
    expect(Number(bar('action', 'unchanged'))).toBe(plan.summary.noop);
    const changing = plan.steps.filter((s): s is UserStep => s.kind === 'user' && s.action !== 'noop');
    expect(Number(bar('source', 'dingtalk'))).toBe(changing.filter((s) => s.source === 'dingtalk').length);
    expect(Number(bar('department', 'Sales'))).toBe(changing.filter((s) => s.groups.add.includes('sales')).length);
  });

  it('lists the held people with the exact command that releases each', () => {
    const held = samplePlan().steps.filter((s): s is UserStep => s.kind === 'user' && s.staged === true);
    expect(held.length).toBeGreaterThan(0);
    for (const s of held) expect(html).toContain(`npm run sync -- --release ${s.externalId}`);
  });

  it('shows name conflicts and the configuration, never a secret', () => {
    expect(html).toContain('wang.wei2');
    expect(html).toContain('Contractors');
    expect(renderPlanReport(input({ config: { ...reportConfig(), sources: ['file'], secret: 'S3CR3T' } }))).not.toContain('S3CR3T');
  });

  it('for a finished run, says what was applied and what failed, with what to do', () => {
    const plan = samplePlan();
    const step = plan.steps.find((s) => s.kind === 'user' && s.action === 'create')!;
    const ok = plan.steps.find((s) => s.kind === 'user' && s.action === 'update')!;
    const out = renderPlanReport(input({
      plan, dryRun: false,
      outcomes: [{ step: ok, status: 'succeeded' }, { step, status: 'failed', failure: { code: 'Quota', reason: 'user quota reached', recommendedAction: 'raise the RAM user quota' } }],
    }));
    expect(out).toContain('1 changes applied, 1 failed');
    expect(out).toContain('→ raise the RAM user quota');
    const failedRow = dataIsland(out).find((r) => r[10] === 'failed')!;
    expect(failedRow[11]).toBe('user quota reached → raise the RAM user quota');
  });

  it('keeps one row per step, noops included, in compact form', () => {
    const plan = samplePlan();
    expect(reportData(input({ plan })).rows).toHaveLength(plan.steps.length);
  });
});
