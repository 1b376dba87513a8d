/**
 * The saved form of one emulated RAM account (`EmulatorState.toJSON()`), versioned so a later
 * layout can still read, or clearly refuse, an older file. Checked in full on restore: a state
 * file is hand-editable, and a half-valid one would make the emulator answer unlike RAM.
 */
import * as z from 'zod';
import { ACCESS_KEY_STATUS } from './attachments';
import { sequenceOf } from './ids';

export const STATE_JSON_VERSION = 1;

const id = z.string().min(1);
const date = z.string().min(1);
const userId = { userId: id };

const userSchema = z.object({
  id,
  userName: z.string().min(1),
  displayName: z.string(),
  externalId: z.string().optional(),
  createdBy: z.enum(['scim', 'console']),
  createDate: date,
  updateDate: date,
});

const groupSchema = z.object({ id, name: z.string().min(1), comments: z.string(), createDate: date, updateDate: date });

const stateSchema = z.object({
  v: z.literal(STATE_JSON_VERSION),
  /** The number the next generated id gets. */
  nextId: z.number().int().positive(),
  users: z.array(userSchema),
  groups: z.array(groupSchema),
  memberships: z.array(z.object({ ...userId, groupId: id, joinDate: date })),
  accessKeys: z.array(
    z.object({ id, ...userId, status: z.enum([ACCESS_KEY_STATUS.active, ACCESS_KEY_STATUS.inactive]), createDate: date }),
  ),
  loginProfiles: z.array(
    z.object({ ...userId, createDate: date, passwordResetRequired: z.boolean(), mfaBindRequired: z.boolean() }),
  ),
  policies: z.array(
    z.object({
      ...userId,
      policyName: z.string().min(1),
      policyType: z.enum(['System', 'Custom']),
      description: z.string(),
      defaultVersion: z.string(),
      attachDate: date,
    }),
  ),
  mfaDevices: z.array(z.object({ ...userId, serialNumber: z.string().min(1), bindDate: date })),
});

/** `{ v: 1, nextId, users, groups, memberships, accessKeys, loginProfiles, policies, mfaDevices }` */
export type EmulatorStateJson = z.infer<typeof stateSchema>;

/** A saved account that cannot be restored; the message names what is wrong, never a user's data. */
export class InvalidEmulatorStateError extends Error {
  override readonly name = 'InvalidEmulatorStateError';
}

/** Checks shape and cross-references; returns the typed document or throws InvalidEmulatorStateError. */
export function parseStateJson(doc: unknown): EmulatorStateJson {
  const version = (doc as { v?: unknown } | null)?.v;
  if (typeof doc === 'object' && doc !== null && version !== STATE_JSON_VERSION) {
    throw new InvalidEmulatorStateError(`unsupported state version ${JSON.stringify(version)} (expected ${STATE_JSON_VERSION})`);
  }
  const parsed = stateSchema.safeParse(doc);
  if (!parsed.success) {
    // Issue paths and messages only: zod's messages name expected types, not the offending values.
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidEmulatorStateError(`malformed state: ${issues.join('; ')}`, { cause: parsed.error });
  }
  const problems = integrityProblems(parsed.data);
  if (problems.length > 0) throw new InvalidEmulatorStateError(`inconsistent state: ${problems.slice(0, 5).join('; ')}`);
  return parsed.data;
}

/** The saved counter, but never at or behind an id already in the file (say, after a hand edit). */
export function firstFreeId(doc: EmulatorStateJson): number {
  const used = [...doc.users, ...doc.groups, ...doc.accessKeys].map((x) => x.id);
  used.push(...doc.mfaDevices.map((d) => d.serialNumber));
  const highest = used.reduce((max, id) => Math.max(max, sequenceOf(id) ?? 0), 0);
  return Math.max(doc.nextId, highest + 1);
}

/** Duplicate ids and references to users or groups the document does not hold. */
function integrityProblems(doc: EmulatorStateJson): string[] {
  const problems: string[] = [];
  // Ids are shown; names and externalIds are not, since they are often e-mail addresses.
  const unique = (what: string, keys: string[], show = true): Set<string> => {
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) problems.push(show ? `duplicate ${what} ${key}` : `duplicate ${what}`);
      seen.add(key);
    }
    return seen;
  };
  const users = unique('user id', doc.users.map((u) => u.id));
  const groups = unique('group id', doc.groups.map((g) => g.id));
  unique('user name', doc.users.map((u) => u.userName.toLowerCase()), false);
  unique('group name', doc.groups.map((g) => g.name.toLowerCase()), false);
  unique('externalId', doc.users.flatMap((u) => (u.externalId === undefined ? [] : [u.externalId])), false);
  unique('access key id', doc.accessKeys.map((k) => k.id));
  unique('membership', doc.memberships.map((m) => `${m.userId}/${m.groupId}`));
  unique('login profile of user', doc.loginProfiles.map((p) => p.userId));
  unique('MFA device of user', doc.mfaDevices.map((d) => d.userId));
  const owned = [...doc.memberships, ...doc.accessKeys, ...doc.loginProfiles, ...doc.policies, ...doc.mfaDevices];
  for (const { userId: owner } of owned) if (!users.has(owner)) problems.push(`reference to missing user ${owner}`);
  for (const m of doc.memberships) if (!groups.has(m.groupId)) problems.push(`reference to missing group ${m.groupId}`);
  return problems;
}
