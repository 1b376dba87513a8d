/**
 * The engine's two entrances as data: a queue batch for `push`, a manual request or FC's timer event
 * for `full-sync`. Parsed strictly: a malformed message is a final error (retrying cannot fix it).
 */
// A namespace import lets esbuild drop what we don't use (the named `z` export keeps all of zod: 450 KB).
import * as z from 'zod';
import { CHANGE_KIND, type ChangeBatch, SOURCE_NAMES } from '../core/model';

const change = z.object({
  source: z.enum(SOURCE_NAMES),
  kind: z.enum([CHANGE_KIND.user, CHANGE_KIND.department]),
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

/** `{ "failed": true }`: the failed list. */
const failedRequest = z.object({ failed: z.literal(true) }).strict();
/** `{ "retryFailed": ["<key>", …] }` or `{ "retryFailed": "all" }`: run listed changes again. */
const retryFailedRequest = z.object({
  retryFailed: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]),
}).strict();

/** `{ "migrateIds": "lark", "dryRun": true|false }`: re-link a source's RAM users to its configured kind of id. */
const migrateRequest = z.object({
  migrateIds: z.enum(SOURCE_NAMES),
  dryRun: z.boolean().default(true),
}).strict();

/**
 * The reconcile timer's options, the trigger's `payload` string as JSON: `{"sources": ["ad"]}` or
 * nothing (every source). A scheduled run always applies under the safeguard, so it cannot be told
 * to dry-run or to allow deletions: nobody would be there to read the one or answer for the other.
 */
const timerOptions = z.object({
  sources: z.array(z.enum(SOURCE_NAMES)).min(1).optional(),
  dryRun: z.never({ error: 'a timer run always applies; invoke full-sync by hand for a dry run' }).optional(),
  allowDeletes: z.never({ error: 'a timer run never lifts the deletion safeguard; release held people with {"release": [...]}' }).optional(),
}).strict();

const timerPayload = z.string().transform((text, ctx) => {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be empty or JSON such as {"sources":["ad"]}' });
    return z.NEVER;
  }
}).pipe(timerOptions);

/** FC's timer event (reference/fc.md §2.3). */
const timerEvent = z.object({
  triggerTime: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'must be an ISO time'),
  triggerName: z.string().min(1),
  payload: timerPayload.optional(),
}).strict();

/**
 * What `full-sync` may be invoked with: a sync (the default), the reconcile timer's event, the held
 * list, a release, push's failed list or a retry of it, or an id migration.
 */
export type FullSyncInvocation =
  | { kind: 'sync'; request: FullSyncRequest }
  | { kind: 'reconcile'; request: FullSyncRequest; trigger: { name: string; time: string } }
  | { kind: 'held' }
  | { kind: 'release'; release: string[] | 'all' }
  | { kind: 'failed' }
  | { kind: 'retry-failed'; keys: string[] | 'all' }
  | { kind: 'migrate-ids'; source: (typeof SOURCE_NAMES)[number]; dryRun: boolean };

export function parseFullSyncInvocation(raw: unknown): FullSyncInvocation {
  const value = raw ?? {};
  const has = (key: string) => typeof value === 'object' && value !== null && key in value;
  if (has('held')) {
    heldRequest.parse(value);
    return { kind: 'held' };
  }
  if (has('release')) return { kind: 'release', release: releaseRequest.parse(value).release };
  if (has('failed')) {
    failedRequest.parse(value);
    return { kind: 'failed' };
  }
  if (has('retryFailed')) return { kind: 'retry-failed', keys: retryFailedRequest.parse(value).retryFailed };
  if (has('triggerTime') || has('triggerName') || has('payload')) {
    const event = timerEvent.parse(value);
    return {
      kind: 'reconcile',
      request: { dryRun: false, ...(event.payload?.sources && { sources: event.payload.sources }) },
      trigger: { name: event.triggerName, time: event.triggerTime },
    };
  }
  if (has('migrateIds')) {
    const request = migrateRequest.parse(value);
    return { kind: 'migrate-ids', source: request.migrateIds, dryRun: request.dryRun };
  }
  return { kind: 'sync', request: parseFullSyncRequest(value) };
}
