/**
 * The local stand-in for a directory's change events: when the directory file is edited, the
 * people and departments that differ are published as changes, through the same queue adapter a
 * webhook uses, so they travel the whole pipeline (queue → push → RAM).
 */
import { watchFile, unwatchFile } from 'node:fs';
import type { Change } from '../../functions/lib/core/model';
import type { ChangeQueue } from '../../functions/lib/core/ports';
import { createFileSource } from '../../functions/lib/sources/file';

type Snapshot = Map<string, string>;

async function snapshot(file: string): Promise<Snapshot> {
  const source = createFileSource(file);
  const out: Snapshot = new Map();
  for await (const d of source.listDepartments()) out.set(`group\u0000${d.sourceId}`, JSON.stringify(d));
  for await (const p of source.listUsers()) out.set(`user\u0000${p.sourceId}`, JSON.stringify(p));
  return out;
}

/** What differs between two snapshots, as changes naming the entities (never their contents). */
export function changesBetween(before: Snapshot, after: Snapshot): Change[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).map((key) => {
    const [kind, sourceId] = key.split('\u0000') as ['user' | 'group', string];
    const reason = !before.has(key) ? 'added' : !after.has(key) ? 'removed' : 'modified';
    return { source: 'file', kind, sourceId, reason: `file ${reason}` };
  });
}

/** Starts watching; returns a function that stops it. Errors (a half-saved file) are reported, not fatal. */
export async function watchDirectory(
  file: string, queue: ChangeQueue, report: (event: { published?: number; error?: unknown }) => void,
): Promise<() => void> {
  let last = await snapshot(file);
  let busy = Promise.resolve();
  const onChange = () => {
    busy = busy.then(async () => {
      const next = await snapshot(file);
      const changes = changesBetween(last, next);
      if (changes.length) await queue.publish(changes);
      last = next;
      report({ published: changes.length });
    }).catch((error: unknown) => report({ error }));
  };
  watchFile(file, { interval: 500 }, onChange);
  return () => unwatchFile(file, onChange);
}
