/**
 * A plan for people: a table an administrator can read before anything happens, and JSON for tools.
 * Neither carries email or mobile: a plan holds only names, ids and reasons.
 */
import type { Plan, PlanSummary, Step, UserStep } from './plan';
import type { HeldEntry } from './safeguard';

const COLUMNS = ['ACTION', 'USER', 'EXTERNAL ID', 'CHANGES', 'REASON'] as const;

export interface RenderOptions {
  /** Show unchanged users too (default: only their count). */
  includeNoop?: boolean;
  /** Cut long cells to this many characters (default 60). */
  width?: number;
}

export function renderPlanTable(plan: Plan, options: RenderOptions = {}): string {
  const rows = plan.steps.filter((s) => options.includeNoop || s.action !== 'noop').map(rowOf);
  const out = [renderTable(COLUMNS, rows, options.width)];
  if (rows.length === 0) out.push('(no changes)');
  out.push('', summaryLine(plan.summary));
  for (const c of plan.conflicts) {
    out.push(`name conflict: "${c.userName}" kept by ${c.holder} (${c.reason}); ` +
      c.renamed.map((r) => `${r.externalId} → ${r.userName}`).join(', '));
  }
  if (plan.safeguard) out.push(`safeguard: ${plan.safeguard.reason}`);
  return out.join('\n');
}

export function renderPlanJson(plan: Plan): string {
  return JSON.stringify(plan, null, 2);
}

export function summaryLine(s: PlanSummary): string {
  return `plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.suspend} to suspend, ` +
    `${s.restore} to restore, ${s.noop} unchanged, ${s.staged} staged, ${s.groupCreate} group(s) to create`;
}

const HELD_COLUMNS = ['SINCE', 'ACTION', 'USER', 'EXTERNAL ID', 'STAGED BY', 'WHY'] as const;

/** The deletion safeguard's held list: who, since when, which path staged them, and why. */
export function renderHeldTable(entries: HeldEntry[], options: Pick<RenderOptions, 'width'> = {}): string {
  if (entries.length === 0) return 'the held list is empty: no deprovision is waiting for release';
  const rows = entries.map((e) => [
    e.since.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), e.action, e.userName, e.externalId,
    `${e.path}${e.changeId ? ` (change ${e.changeId})` : ''}`,
    `${e.stepReason}; ${e.reason}`,
  ]);
  return [
    renderTable(HELD_COLUMNS, rows, options.width ?? 90),
    '',
    `${entries.length} held. Release: npm run sync -- --release <externalId>… (or all); deployed: add --remote`,
  ].join('\n');
}

/** Columns aligned by terminal width (wide characters count two), long cells cut to `width`. */
function renderTable(columns: readonly string[], rows: string[][], width = 60): string {
  const cells = rows.map((r) => r.map((cell) => cut(cell, width)));
  const widths = columns.map((h, i) => Math.max(h.length, ...cells.map((r) => displayWidth(r[i]!))));
  const line = (row: readonly string[]) =>
    row.map((c, i) => c + ' '.repeat(widths[i]! - displayWidth(c))).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function rowOf(step: Step): string[] {
  if (step.kind === 'group') return [`group ${step.action}`, step.groupName, '', '', step.reason];
  const action = step.staged ? `${step.action} (staged)` : step.action;
  const reason = step.staged ? `${step.reason}; staged: ${step.stagedReason ?? 'held'}` : step.reason;
  return [action, step.userName, step.externalId, changesOf(step), reason];
}

function changesOf(step: UserStep): string {
  const parts = step.diff.map((d) => `${d.field}: ${d.from} → ${d.to}`);
  if (step.action === 'create') parts.push(`displayName: ${step.displayName}`);
  for (const g of step.groups.add) parts.push(`+${g}`);
  for (const g of step.groups.remove) parts.push(`-${g}`);
  return parts.join(', ');
}

// CJK ideographs, kana, Hangul and full-width forms take two terminal columns (张伟 is 4 wide).
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

/** `text` cut to `width` characters (code points), an ellipsis marking the cut. */
export function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

const FAILED_COLUMNS = ['SINCE', 'WHAT', 'KEY', 'STEP', 'TIMES', 'WHY', 'WHAT TO DO'] as const;

/** A failed-list entry as the table shows it (see sync/failedChanges.ts). */
export interface FailedRow {
  at: string;
  subject: string;
  key: string;
  action: string;
  times: number;
  reason: string;
  recommendedAction?: string;
}

/** The changes push gave up on: what, since when, why, and what to do. */
export function renderFailedTable(entries: FailedRow[], dropped = 0, options: Pick<RenderOptions, 'width'> = {}): string {
  if (entries.length === 0) return 'the failed list is empty: every change push received was applied or is being retried';
  const rows = entries.map((e) => [
    e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), e.subject, e.key, e.action, String(e.times), e.reason, e.recommendedAction ?? '',
  ]);
  return [
    renderTable(FAILED_COLUMNS, rows, options.width ?? 60),
    '',
    `${entries.length} failed${dropped ? ` (${dropped} older ones dropped: see the logs)` : ''}. ` +
      'Retry after fixing: npm run sync -- --retry-failed <key>… (or all); deployed: add --remote',
  ].join('\n');
}
