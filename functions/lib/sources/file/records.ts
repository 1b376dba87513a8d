/**
 * One person or department record, whatever the file format, validated and turned into the domain
 * model. Readers (JSON, CSV) only gather raw values under canonical field names.
 * Every message here names a field and says what is wrong, never what the value was, nor the raw id.
 * Written by hand rather than with a schema library: the file source is in full-sync's bundle, and a
 * library's schemas cost every cold start.
 */
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

/** The same rule as zod's `z.email()`, which this file used before. */
const EMAIL = /^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/;
const PHONE = /^\+?[0-9][0-9 ()-]{3,30}$/;
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'off']);

/**
 * Reads one record's fields; each read notes a problem (`field departments[1] must be text`) and
 * answers undefined, so every bad field of a record is named at once.
 */
class FieldReader {
  readonly problems: string[] = [];

  constructor(private readonly raw: Readonly<Record<string, unknown>>) {}

  private fail(path: string, rule: string): undefined {
    this.problems.push(`field ${path} ${rule}`);
    return undefined;
  }

  // JSON exports often carry numeric ids and phone numbers; they mean the same text.
  private asText(value: unknown, path: string): string | undefined {
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    return this.fail(path, value === undefined ? 'is missing' : 'must be text');
  }

  required(field: string): string | undefined {
    return this.asText(blankToUndefined(this.raw[field]), field);
  }

  optional(field: string): string | undefined {
    const value = blankToUndefined(this.raw[field]);
    return value === undefined ? undefined : this.asText(value, field);
  }

  email(field: string): string | undefined {
    const value = blankToUndefined(this.raw[field]);
    if (value === undefined) return undefined;
    return typeof value === 'string' && EMAIL.test(value) ? value : this.fail(field, 'is not an email address');
  }

  mobile(field: string): string | undefined {
    const value = this.optional(field);
    return value === undefined || PHONE.test(value) ? value : this.fail(field, 'is not a phone number');
  }

  /** CSV cells hold `a;b` or `a|b`; JSON holds an array (or, leniently, the same string). */
  list(field: string): string[] | undefined {
    const value = this.raw[field];
    if (value === undefined) return undefined;
    const items = typeof value === 'string' ? value.split(/[;|]/) : value;
    if (!Array.isArray(items)) return this.fail(field, 'must be a list of department ids');
    const given = items.map(blankToUndefined).filter((v) => v !== undefined);
    const texts = given.map((v, i) => this.asText(v, `${field}[${i}]`));
    return texts.every((t) => t !== undefined) ? texts as string[] : undefined;
  }

  status(field: string): 'active' | 'disabled' | undefined {
    const raw = this.raw[field];
    const value = typeof raw === 'string' ? blankToUndefined(raw.toLowerCase()) : raw;
    if (value === undefined || value === 'active' || value === 'disabled') return value;
    return this.fail(field, 'must be active or disabled');
  }

  flag(field: string): boolean | undefined {
    let value = this.raw[field];
    if (typeof value === 'string') {
      const word = value.trim().toLowerCase();
      if (word === '') value = undefined;
      else if (TRUE_WORDS.has(word)) value = true;
      else if (FALSE_WORDS.has(word)) value = false;
    }
    if (value === undefined || typeof value === 'boolean') return value;
    return this.fail(field, 'must be true or false');
  }

  /** An object of text (or number, true/false) values; blank ones are left out. */
  attributes(field: string): Record<string, string> | undefined {
    const value = this.raw[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return this.fail(field, 'must be an object of text values');
    const kept: [string, string][] = [];
    for (const [key, raw] of Object.entries(value)) {
      const v = blankToUndefined(raw);
      if (v === undefined) continue;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') kept.push([key, String(v)]);
      else this.fail(`${field}.${key}`, 'must be text');
    }
    return Object.fromEntries(kept);
  }
}

/** Validates one raw person and builds the Identity (`status` defaults to active). */
export function parsePerson(raw: RawPerson): RecordResult<Identity> {
  const read = new FieldReader(raw);
  const r = {
    id: read.required('id'),
    userName: read.optional('userName'),
    displayName: read.optional('displayName'),
    email: read.email('email'),
    mobile: read.mobile('mobile'),
    employeeId: read.optional('employeeId'),
    title: read.optional('title'),
    departments: read.list('departments'),
    status: read.status('status'),
    enabled: read.flag('enabled'),
    manager: read.optional('manager'),
    attributes: read.attributes('attributes'),
  };
  if (read.problems.length > 0) return { ok: false, problems: read.problems };
  if (r.status !== undefined && r.enabled !== undefined && (r.status === 'active') !== r.enabled) {
    return { ok: false, problems: ['fields status and enabled disagree'] };
  }
  const attrs = Object.entries(r.attributes ?? {});
  // Absent fields are left out rather than set to undefined: the JSON and CSV forms then compare equal.
  const identity: Identity = {
    source: 'file',
    sourceId: r.id!,
    ...(r.userName !== undefined && { userName: r.userName }),
    ...(r.displayName !== undefined && { displayName: r.displayName }),
    ...(r.email !== undefined && { email: r.email }),
    ...(r.mobile !== undefined && { mobile: r.mobile }),
    ...(r.employeeId !== undefined && { employeeId: r.employeeId }),
    ...(r.title !== undefined && { title: r.title }),
    departmentIds: [...new Set(r.departments ?? [])],
    status: r.status ?? (r.enabled === false ? 'disabled' : 'active'),
    ...(r.manager !== undefined && { managerId: r.manager }),
    ...(attrs.length > 0 && { attributes: Object.fromEntries(attrs) }),
  };
  return { ok: true, value: identity };
}

/** Validates one raw department. */
export function parseDepartment(raw: RawDepartment): RecordResult<Department> {
  const read = new FieldReader(raw);
  const id = read.required('id');
  const name = read.required('name');
  const parentId = read.optional('parentId');
  if (read.problems.length > 0) return { ok: false, problems: read.problems };
  const department: Department = { source: 'file', sourceId: id!, name: name! };
  if (parentId !== undefined) department.parentId = parentId;
  return { ok: true, value: department };
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
