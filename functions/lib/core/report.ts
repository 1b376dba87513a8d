/**
 * The plan report: one self-contained HTML file a reviewer opens offline or finds attached to a
 * ticket. Rules: nothing is fetched (styles and the script are inline, charts are inline SVG, and a
 * Content-Security-Policy of `default-src 'none'` forbids anything else, including an injected
 * handler: the one script is allowed by its hash); every directory value is masked (reportData) and
 * escaped; steps travel as one JSON data island with `<` written `\u003c`, so no name ends the script.
 *
 * @example
 * writeFileSync('plan.html', renderPlanReport({ plan, runId, madeAt: new Date().toISOString(), dryRun: true }));
 */
import { cut } from './render';
import { createHash } from 'node:crypto';
import type { Plan, UserStep } from './plan';
import { maskText } from './redact';
import { type Count, type ReportConfig, type ReportInput, reportData } from './reportData';
import { REPORT_SCRIPT } from './reportScript';
import { releaseCommand } from './safeguard';

export type { ReportConfig, ReportInput, ReportOutcome } from './reportData';

const SCRIPT_HASH = createHash('sha256').update(REPORT_SCRIPT, 'utf8').digest('base64');
const CSP = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${SCRIPT_HASH}'`;
/** Bars shown per chart; the rest are summed into one, so 500 departments still fit a page. */
const MAX_BARS = 12;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside a script element: no `</script>`, `<!--` or line separators survive. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function renderPlanReport(input: ReportInput): string {
  const data = reportData(input);
  const finished = input.outcomes !== undefined;
  const title = `${finished ? 'Sync run' : 'Plan'} ${input.runId}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<header><h1>${escapeHtml(title)}</h1>
<p>${finished ? 'Applied' : input.dryRun ? 'Dry run: nothing was changed' : 'Planned'} · made ${escapeHtml(input.madeAt)} ·
${input.plan.managed} managed RAM users · ${input.plan.steps.length} steps</p></header>
<section id="summary"><h2>Summary</h2><div class="charts">
${chart('By action', 'action', data.byAction)}
${chart('By source (changes)', 'source', data.bySource)}
${chart('By department (changes, through group rules)', 'department', data.byDepartment)}
${finished ? chart('Outcomes', 'status', data.byStatus) : ''}
</div></section>
${finished ? failuresSection(input) : ''}
${safeguardSection(input.plan)}
${conflictsSection(input.plan)}
${configSection(input.config)}
<section id="steps-section"><h2>Steps</h2>
${input.stepsOmitted ? `<p class="warn">${input.stepsOmitted} steps were left out of this report to keep the answer under FC's response limit; the provisioning log has them all.</p>` : ''}
<div class="controls">
<label>Action <select id="f-action"><option value="">all</option></select></label>
<label>Source <select id="f-source"><option value="">all</option></select></label>
<label>Department <select id="f-department"><option value="">all</option></select></label>
<label>Search <input id="f-search" type="search" placeholder="name, id, reason"></label>
<label><input id="f-noop" type="checkbox"> show unchanged</label>
</div>
<p id="steps-count"></p>
<table id="steps"><thead><tr><th>Action</th><th>Who</th><th>Source</th><th>Department</th><th>Change (before → after)</th><th>Reason</th><th>Outcome</th></tr></thead>
<tbody id="steps-body"></tbody></table></section>
<script type="application/json" id="plan-data">${jsonForScript(data.rows)}</script>
<script>${REPORT_SCRIPT}</script>
</body></html>
`;
}

function chart(title: string, kind: string, counts: Count[]): string {
  const shown = counts.length > MAX_BARS
    ? [...counts.slice(0, MAX_BARS - 1), { label: `${counts.length - MAX_BARS + 1} others`, count: counts.slice(MAX_BARS - 1).reduce((n, c) => n + c.count, 0) }]
    : counts;
  const max = Math.max(1, ...shown.map((c) => c.count));
  const bars = shown.map((c, i) => {
    const y = i * 20;
    const width = Math.round((c.count / max) * 160);
    return `<g class="bar" data-label="${escapeHtml(c.label)}" data-count="${c.count}">` +
      `<text x="0" y="${y + 13}">${escapeHtml(cut(c.label, 26))}</text>` +
      `<rect x="170" y="${y + 2}" width="${width}" height="14"></rect>` +
      `<text x="${176 + width}" y="${y + 13}">${c.count}</text></g>`;
  }).join('');
  const body = shown.length === 0 ? '<p class="dim">nothing</p>'
    : `<svg role="img" aria-label="${escapeHtml(title)}" width="400" height="${shown.length * 20 + 4}" viewBox="0 0 400 ${shown.length * 20 + 4}">${bars}</svg>`;
  return `<figure class="chart" data-chart="${kind}"><figcaption>${escapeHtml(title)}</figcaption>${body}</figure>`;
}

function safeguardSection(plan: Plan): string {
  const v = plan.safeguard;
  const held = plan.steps.filter((s): s is UserStep => s.kind === 'user' && s.staged === true);
  const verdict = v
    ? `<p class="${v.held ? 'warn' : ''}">${v.held ? 'Held' : 'Not held'}: ${escapeHtml(maskText(v.reason))}</p>
<p class="dim">${v.deprovisions} deprovisions planned, ${v.staged} staged (and ${v.stagedCreates} creates with them);
${v.spentInWindow} counted in the last ${v.windowMinutes} minutes; limits ${v.maxDeletes} people or ${v.maxDeletePercent}% of
${Number.isFinite(v.managed) ? v.managed : 'the not yet counted'} managed users; ${v.heldTotal} on the held list after this plan.</p>`
    : '<p class="dim">No safeguard verdict (nothing to deprovision was settled).</p>';
  const list = held.length === 0 ? '' : `<table id="held"><thead><tr><th>Action</th><th>Who</th><th>Why staged</th><th>Release</th></tr></thead><tbody>
${held.map((s) => `<tr><td>${escapeHtml(s.action)}</td><td><b>${escapeHtml(maskText(s.userName))}</b><br><code>${escapeHtml(maskText(s.externalId))}</code></td>
<td>${escapeHtml(maskText(`${s.reason}; ${s.stagedReason ?? 'held'}`))}</td><td><code>${escapeHtml(maskText(releaseCommand(s.externalId)))}</code></td></tr>`).join('\n')}
</tbody></table>
<p>Release everyone held: <code>npm run sync -- --release all</code> (deployed: add <code>--remote</code>).</p>`;
  return `<section id="safeguard"><h2>Deletion safeguard</h2>${verdict}${list}</section>`;
}

function conflictsSection(plan: Plan): string {
  if (plan.conflicts.length === 0) return '<section id="conflicts"><h2>Name conflicts</h2><p class="dim">none</p></section>';
  const items = plan.conflicts.map((c) => `<li><b>${escapeHtml(maskText(c.userName))}</b> kept by <code>${escapeHtml(maskText(c.holder))}</code>
(${escapeHtml(maskText(c.reason))}); renamed: ${c.renamed.map((r) => `<code>${escapeHtml(maskText(r.externalId))}</code> → <b>${escapeHtml(maskText(r.userName))}</b>`).join(', ')}</li>`);
  return `<section id="conflicts"><h2>Name conflicts</h2><ul>${items.join('\n')}</ul></section>`;
}

function configSection(config: ReportConfig | undefined): string {
  if (!config) return '';
  const row = (name: string, value: string) => `<tr><th>${name}</th><td>${escapeHtml(maskText(value))}</td></tr>`;
  const list = (values: string[] | undefined) => (values && values.length ? values.join(', ') : 'everyone');
  return `<section id="config"><h2>Configuration</h2><table class="kv">
${row('Sources', config.sources.join(', ') || 'none')}
${config.scope ? row('Scope', `departments: ${list(config.scope.includeDepartments)}; excluded: ${config.scope.excludeDepartments.join(', ') || 'none'}; statuses: ${config.scope.statuses.join(', ')}`) : ''}
${config.groupRules ? row('Group rules', config.groupRules.map((r) => `${r.department} → ${r.group}`).join('; ') || 'none') : ''}
${config.policy ? row('Deprovision', `absent at the source: ${config.policy.deleted}; disabled: ${config.policy.disabled}`) : ''}
${config.safeguard ? row('Safeguard', `at most ${config.safeguard.maxDeletes} people or ${config.safeguard.maxDeletePercent}% per ${config.safeguard.windowMinutes} minutes`) : ''}
</table></section>`;
}

function failuresSection(input: ReportInput): string {
  const failed = (input.outcomes ?? []).filter((o) => o.status === 'failed');
  const applied = (input.outcomes ?? []).filter((o) => o.status === 'succeeded' && o.step.action !== 'noop').length;
  const items = failed.map((o) => {
    const who = o.step.kind === 'user' ? `${o.step.userName} (${o.step.externalId})` : `group ${o.step.groupName}`;
    return `<li><b>${escapeHtml(o.step.action)}</b> ${escapeHtml(maskText(who))}: ${escapeHtml(maskText(o.failure?.reason ?? 'failed'))}` +
      `${o.failure?.recommendedAction ? ` <span class="todo">→ ${escapeHtml(maskText(o.failure.recommendedAction))}</span>` : ''}</li>`;
  });
  return `<section id="outcome"><h2>What was applied</h2><p>${applied} changes applied, ${failed.length} failed.</p>
${items.length ? `<h3>Failed</h3><ul>${items.join('\n')}</ul>` : ''}</section>`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc}
.charts{display:flex;flex-wrap:wrap;gap:1.5em}.chart{margin:0}.chart figcaption{font-weight:600}.chart rect{fill:#4a78b5}.chart text{font-size:12px;fill:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e3e3e3;padding:3px 6px;text-align:left;vertical-align:top}
#steps th{cursor:pointer;background:#f4f4f4;position:sticky;top:0}.kv th{width:10em}code{font-size:12px;word-break:break-all}
.dim{color:#666}.warn{color:#9a3b00;font-weight:600}.why,.todo{color:#9a3b00}.failed{background:#fff0f0}.staged{background:#fff8e6}
.a-delete td:first-child,.a-suspend td:first-child{color:#b00020}.a-create td:first-child{color:#1b7a2e}
.controls{display:flex;flex-wrap:wrap;gap:1em;margin:.5em 0}
@media print{.controls{display:none}body{margin:0;font-size:10px}#steps th{position:static}tr{break-inside:avoid}thead{display:table-header-group}
.chart rect{fill:#555;-webkit-print-color-adjust:exact;print-color-adjust:exact}}`;
