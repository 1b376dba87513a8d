/**
 * One person or department record, whatever the file format, validated with zod and turned into
 * the domain model. Readers (JSON, CSV) only gather raw values under canonical field names.
 * Every message here names a field and says what is wrong, never what the value was, nor the raw id.
 */
// A namespace import lets esbuild drop what we don't use (the named `z` export keeps all of zod: 450 KB).
import * as z from 'zod';
import type { Department, Identity } from '../../core/model';
import { maskId } from '../../core/redact';
import type { DepartmentField, PersonField } from './fields';

/** Raw values under canonical field names: CSV cells, or JSON values after alias resolution. */
export type RawPerson = Partial<Record<PersonField, unknown>>;
export type RawDepartment = Partial<Record<DepartmentField, unknown>>;

/** Either the record, or what is wrong with it (`field email is not an email address`). */
export type RecordResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

// Blank cells and empty JSON strings mean "not given", so the two formats agree.
function blankToUndefined(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

// JSON exports often carry numeric ids and phone numbers; they mean the same text.
const text = z
  .union([z.string(), z.number()], { error: (issue) => (issue.input === undefined ? 'is missing' : 'must be text') })
  .transform(String);
const requiredText = z.preprocess(blankToUndefined, text);
const optionalText = z.preprocess(blankToUndefined, text.optional());

const email = z.preprocess(blankToUndefined, z.email({ error: 'is not an email address' }).optional());

const PHONE = /^\+?[0-9][0-9 ()-]{3,30}$/;
const mobile = z.preprocess(
  blankToUndefined,
  text.pipe(z.string().regex(PHONE, { error: 'is not a phone number' })).optional(),
);

// CSV cells hold `a;b` or `a|b`; JSON holds an array (or, leniently, the same string).
const departmentList = z.preprocess(
  (value) => {
    if (typeof value === 'string') return value.split(/[;|]/).map(blankToUndefined).filter((v) => v !== undefined);
    if (Array.isArray(value)) return value.map(blankToUndefined).filter((v) => v !== undefined);
    return value;
  },
  z.array(text, { error: 'must be a list of department ids' }).optional(),
);

const status = z.preprocess(
  (value) => (typeof value === 'string' ? blankToUndefined(value.toLowerCase()) : value),
  z.enum(['active', 'disabled'], { error: 'must be active or disabled' }).optional(),
);

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'off']);
const flag = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    const word = value.trim().toLowerCase();
    if (word === '') return undefined;
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    return value;
  },
  z.boolean({ error: 'must be true or false' }).optional(),
);

const attributes = z
  .record(z.string(), z.preprocess(blankToUndefined, z.union([z.string(), z.number(), z.boolean()], {
    error: 'must be text',
  }).optional()), { error: 'must be an object of text values' })
  .optional();

const personSchema = z.object({
  id: requiredText,
  userName: optionalText,
  displayName: optionalText,
  email,
  mobile,
  employeeId: optionalText,
  title: optionalText,
  departments: departmentList,
  status,
  enabled: flag,
  manager: optionalText,
  attributes,
});

const departmentSchema = z.object({ id: requiredText, name: requiredText, parentId: optionalText });

/** Validates one raw person and builds the Identity (`status` defaults to active). */
export function parsePerson(raw: RawPerson): RecordResult<Identity> {
  const parsed = personSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map(describeIssue) };
  const r = parsed.data;
  if (r.status !== undefined && r.enabled !== undefined && (r.status === 'active') !== r.enabled) {
    return { ok: false, problems: ['fields status and enabled disagree'] };
  }
  const attrs = Object.entries(r.attributes ?? {}).filter(([, v]) => v !== undefined);
  // Absent fields are left out rather than set to undefined: the JSON and CSV forms then compare equal.
  const identity: Identity = {
    source: 'file',
    sourceId: r.id,
    ...(r.userName !== undefined && { userName: r.userName }),
    ...(r.displayName !== undefined && { displayName: r.displayName }),
    ...(r.email !== undefined && { email: r.email }),
    ...(r.mobile !== undefined && { mobile: r.mobile }),
    ...(r.employeeId !== undefined && { employeeId: r.employeeId }),
    ...(r.title !== undefined && { title: r.title }),
    departmentIds: [...new Set(r.departments ?? [])],
    status: r.status ?? (r.enabled === false ? 'disabled' : 'active'),
    ...(r.manager !== undefined && { managerId: r.manager }),
    ...(attrs.length > 0 && { attributes: Object.fromEntries(attrs.map(([k, v]) => [k, String(v)])) }),
  };
  return { ok: true, value: identity };
}

/** Validates one raw department. */
export function parseDepartment(raw: RawDepartment): RecordResult<Department> {
  const parsed = departmentSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map(describeIssue) };
  const { id, name, parentId } = parsed.data;
  const department: Department = { source: 'file', sourceId: id, name };
  if (parentId !== undefined) department.parentId = parentId;
  return { ok: true, value: department };
}

/** `field departments[1] must be text`. Our messages carry no input; the path is keys, not values. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
  return path ? `field ${path} ${issue.message}` : issue.message;
}

/** The id of a raw record as far as it can be told before validation, for "which entry" in messages. */
export function rawIdOf(raw: { id?: unknown }): string | undefined {
  const id = blankToUndefined(raw.id);
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/**
 * `line 7 (id #4309bc56)` or `people[3] (id #4309bc56)`: which entry a problem is about. The id is
 * masked (an export's ids may be names, emails or mobiles); the line or index finds the entry.
 */
export function entryLabel(at: string, id: string | undefined): string {
  return id === undefined ? at : `${at} (id ${maskId(id)})`;
}
