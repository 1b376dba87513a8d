/**
 * The functions' JSON log lines, as one line for a person each: provisioning outcomes say who, what
 * and why (`created  alice.wang (file:e1001): new at the source`), a staged deprovision names the
 * command that releases it, warnings and errors keep their message; the rest (invocation start and
 * end) stays in the log file only.
 */
import type { ProvisioningLogLine } from '../../functions/lib/core/ports';

const DONE: Record<string, string> = {
  create: 'created', update: 'updated', delete: 'deleted', suspend: 'suspended', restore: 'restored', noop: 'unchanged',
  'group-create': 'created',
};

/** One line for a person, or undefined for a line only the log file needs. */
export function describeLogLine(raw: string): string | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return raw; // not a log line: whatever printed it meant it to be read
  }
  if (entry.msg === 'provisioning') return describeOutcome(entry as unknown as ProvisioningLogLine);
  // A line outside an invocation is a cold start's: the stack reports those as "off" or an error itself.
  if (!entry.function || (entry.level !== 'warn' && entry.level !== 'error')) return undefined;
  const detail = [entry.reason, entry.recommendedAction && `→ ${String(entry.recommendedAction)}`].filter(Boolean).join(' ');
  return `${String(entry.level).padEnd(8)} ${String(entry.function ?? 'stack')}: ${String(entry.msg)}${detail ? `: ${detail}` : ''}`;
}

export function describeOutcome(line: ProvisioningLogLine): string {
  const who = line.userName ? `${line.userName} (${line.externalId})`
    : line.groupName ? `group ${line.groupName}` : `department ${line.departmentId ?? '?'}`;
  switch (line.status) {
    case 'succeeded':
    case 'skipped':
      return `${(line.status === 'skipped' ? 'unchanged' : DONE[line.action] ?? line.action).padEnd(8)} ${who}: ${line.reason}`;
    case 'planned':
      return `would ${line.action} ${who}: ${line.reason}`;
    case 'staged':
      return `staged   ${line.action} ${who}: ${line.reason}; release with: npm run sync -- --release ${line.externalId}`;
    case 'failed':
      return `failed   ${line.action} ${who}: ${line.reason}${line.recommendedAction ? ` → ${line.recommendedAction}` : ''}`;
  }
}
