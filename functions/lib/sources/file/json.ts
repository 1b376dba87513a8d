/**
 * Reads the JSON form: `{ "departments": [{ id, name, parentId? }], "people": [{ id, … }] }`.
 * Keys may use the same aliases as CSV columns; any other key is an error (extra fields belong
 * under `attributes`), so a misspelt `emial` cannot silently drop someone's address. Other
 * top-level keys (`description`, `exportedAt` …) are metadata and ignored.
 */
import type { Department, Identity } from '../../core/model';
import type { ParsedDirectory, Located } from './directory';
import { FileSourceError, ProblemList } from './errors';
import { departmentFieldOf, personFieldOf } from './fields';
import {
  entryLabel, parseDepartment, parsePerson, rawIdOf, type RawDepartment, type RawPerson, type RecordResult,
} from './records';

export function parseJsonDirectory(text: string, file: string): ParsedDirectory {
  const document = parseJsonText(text, file);
  if (!isObject(document)) {
    throw new FileSourceError('must hold a JSON object with a "people" list (and a "departments" list)', { file });
  }
  const problems = new ProblemList();
  if (!Array.isArray(document.people)) problems.add('top level', 'field people must be a list');
  if (document.departments !== undefined && !Array.isArray(document.departments)) {
    problems.add('top level', 'field departments must be a list');
  }
  problems.throwIfAny(file);

  const people = readEntries(document.people as unknown[], 'people', personFieldOf, parsePerson, problems);
  const departments = Array.isArray(document.departments)
    ? readEntries(document.departments, 'departments', departmentFieldOf, parseDepartment, problems)
    : undefined;
  problems.throwIfAny(file);
  return departments ? { people, departments } : { people };
}

function readEntries<F extends string, T extends Identity | Department>(
  entries: unknown[],
  list: string,
  fieldOf: (key: string) => F | undefined,
  parse: (raw: Partial<Record<F, unknown>>) => RecordResult<T>,
  problems: ProblemList,
): Located<T>[] {
  const located: Located<T>[] = [];
  entries.forEach((entry, index) => {
    const at = `${list}[${index}]`;
    if (!isObject(entry)) {
      problems.add(at, 'must be an object');
      return;
    }
    const raw: Partial<Record<F, unknown>> = {};
    const keyFor = new Map<F, string>();
    const keyProblems: string[] = [];
    for (const [key, value] of Object.entries(entry)) {
      const field = fieldOf(key);
      const earlier = field && keyFor.get(field);
      if (field === undefined) {
        keyProblems.push(`field ${key} is not known${list === 'people' ? ' (extra fields go under attributes)' : ''}`);
      } else if (earlier !== undefined) {
        keyProblems.push(`fields ${earlier} and ${key} mean the same thing`);
      } else {
        keyFor.set(field, key);
        raw[field] = value;
      }
    }
    const label = entryLabel(at, rawIdOf(raw as RawPerson | RawDepartment));
    const result = parse(raw);
    const all = [...keyProblems, ...(result.ok ? [] : result.problems)];
    for (const problem of all) problems.add(label, problem);
    if (result.ok && keyProblems.length === 0) located.push({ at, value: result.value });
  });
  return located;
}

// JSON.parse quotes the text around a syntax error, which may be someone's email address: keep
// only the position, and do not chain the original error.
function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw new FileSourceError(`is not valid JSON${position ? ` (${lineAndColumn(text, Number(position))})` : ''}`, {
      file,
    });
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
