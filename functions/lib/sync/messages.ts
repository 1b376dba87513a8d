/**
 * The engine's two entrances as data: a queue batch for `push`, a manual request for `full-sync`.
 * Parsed strictly: a malformed message is a final error (retrying cannot fix it).
 */
// A namespace import lets esbuild drop what we don't use (the named `z` export keeps all of zod: 450 KB).
import * as z from 'zod';
import { CHANGE_KIND, type ChangeBatch, SOURCE_NAMES } from '../core/model';

const change = z.object({
  source: z.enum(SOURCE_NAMES),
  kind: z.enum([CHANGE_KIND.user, CHANGE_KIND.group]),
  sourceId: z.string().min(1),
  reason: z.string(),
  hint: z.record(z.string(), z.string()).optional(),
});

const changeBatch = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  emittedAt: z.string(),
  changes: z.array(change),
});

export function parseChangeBatch(raw: unknown): ChangeBatch {
  return changeBatch.parse(raw);
}

/** `{ "dryRun": true|false, "sources": [...], "allowDeletes": N }`; a run is a dry run unless it says otherwise. */
const fullSyncRequest = z.object({
  dryRun: z.boolean().default(true),
  sources: z.array(z.enum(SOURCE_NAMES)).optional(),
  allowDeletes: z.union([z.number().int().min(0), z.boolean()]).optional(),
}).strict();

export type FullSyncRequest = z.infer<typeof fullSyncRequest>;

export function parseFullSyncRequest(raw: unknown): FullSyncRequest {
  return fullSyncRequest.parse(raw ?? {});
}

/** `{ "held": true }`: the held list. */
const heldRequest = z.object({ held: z.literal(true) }).strict();
/** `{ "release": ["<externalId>", …] }` or `{ "release": "all" }`: apply held deprovisions now. */
const releaseRequest = z.object({
  release: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]),
}).strict();

/** What `full-sync` may be invoked with: a sync (the default), the held list, or a release. */
export type FullSyncInvocation =
  | { kind: 'sync'; request: FullSyncRequest }
  | { kind: 'held' }
  | { kind: 'release'; release: string[] | 'all' };

export function parseFullSyncInvocation(raw: unknown): FullSyncInvocation {
  const value = raw ?? {};
  if (typeof value === 'object' && value !== null && 'held' in value) {
    heldRequest.parse(value);
    return { kind: 'held' };
  }
  if (typeof value === 'object' && value !== null && 'release' in value) return { kind: 'release', release: releaseRequest.parse(value).release };
  return { kind: 'sync', request: parseFullSyncRequest(value) };
}
