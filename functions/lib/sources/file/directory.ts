/**
 * The whole directory once every record is valid: people and departments by id, with the checks
 * that span records (duplicate ids, unknown departments, parent cycles).
 */
import type { Department, Identity } from '../../core/model';
import { maskId } from '../../core/redact';
import { ProblemList } from './errors';
import { entryLabel } from './records';

/** A record and where it sits in the file: `line 7` (CSV) or `people[3]` (JSON). */
export interface Located<T> {
  at: string;
  value: T;
}

/** What a reader hands over. `departments` is absent when the file does not list them. */
export interface ParsedDirectory {
  people: Located<Identity>[];
  departments?: Located<Department>[];
}

/** People and departments by source id, in file order. */
export interface Directory {
  users: ReadonlyMap<string, Identity>;
  departments: ReadonlyMap<string, Department>;
}

export function buildDirectory(parsed: ParsedDirectory, file: string): Directory {
  const problems = new ProblemList();
  const users = indexById(parsed.people, 'person', problems);
  const departments = parsed.departments
    ? indexById(parsed.departments, 'department', problems)
    : departmentsSeenIn(parsed.people);

  for (const { at, value } of parsed.people) {
    for (const departmentId of value.departmentIds) {
      if (!departments.has(departmentId)) {
        problems.add(entryLabel(at, value.sourceId), `field departments names unknown department ${departmentId}`);
      }
    }
  }
  for (const { at, value } of parsed.departments ?? []) {
    if (value.parentId !== undefined && !departments.has(value.parentId)) {
      problems.add(entryLabel(at, value.sourceId), `field parentId names unknown department ${value.parentId}`);
    }
  }
  for (const cycle of parentCycles(departments)) {
    problems.add('departments', `${cycle.join(' → ')} form a parent cycle`);
  }
  problems.throwIfAny(file);
  return { users, departments };
}

function indexById<T extends Identity | Department>(
  records: Located<T>[], kind: string, problems: ProblemList,
): Map<string, T> {
  const byId = new Map<string, T>();
  const places = new Map<string, string[]>();
  for (const { at, value } of records) {
    places.set(value.sourceId, [...(places.get(value.sourceId) ?? []), at]);
    if (!byId.has(value.sourceId)) byId.set(value.sourceId, value);
  }
  for (const [id, at] of places) {
    if (at.length > 1) problems.add(`duplicate ${kind} id ${maskId(id)}`, `appears at ${at.join(', ')}`);
  }
  return byId;
}

/** Without a department list, every id people mention is a department named after its id. */
function departmentsSeenIn(people: Located<Identity>[]): Map<string, Department> {
  const departments = new Map<string, Department>();
  for (const { value } of people) {
    for (const id of value.departmentIds) {
      if (!departments.has(id)) departments.set(id, { source: 'file', sourceId: id, name: id });
    }
  }
  return departments;
}

// Consumers walk parents to include sub-departments; a cycle would make that walk endless.
function parentCycles(departments: ReadonlyMap<string, Department>): string[][] {
  const cycles: string[][] = [];
  const settled = new Set<string>();
  for (const start of departments.keys()) {
    const path: string[] = [];
    let current: string | undefined = start;
    while (current !== undefined && !settled.has(current) && !path.includes(current)) {
      path.push(current);
      current = departments.get(current)?.parentId;
    }
    if (current !== undefined && path.includes(current)) cycles.push([...path.slice(path.indexOf(current)), current]);
    for (const id of path) settled.add(id);
  }
  return cycles;
}
