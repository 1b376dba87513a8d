/**
 * Reads the CSV form, as HR systems export it: a header row, UTF-8 (the BOM is stripped before
 * this), quoted fields, LF or CRLF. People columns are `id,userName,displayName,email,mobile,
 * employeeId,title,departments,status,manager` or their aliases; other columns become attributes.
 * A departments CSV has `id,name,parentId`; other columns there are ignored.
 */
import type { Department, Identity } from '../../core/model';
import type { Located } from './directory';
import { FileSourceError, ProblemList } from './errors';
import { departmentFieldOf, personFieldOf } from './fields';
import { entryLabel, parseDepartment, parsePerson, rawIdOf, type RecordResult } from './records';

interface CsvRow {
  /** The line the record starts on, counting blank lines. */
  line: number;
  cells: string[];
}

/** People from a CSV export; unknown columns become `attributes`. */
export function parseCsvPeople(text: string, file: string): Located<Identity>[] {
  // An `attributes` column is just another attribute here; only JSON nests them.
  const fieldOf = (name: string) => {
    const field = personFieldOf(name);
    return field === 'attributes' ? undefined : field;
  };
  return readRecords(text, file, fieldOf, true, parsePerson);
}

/** Departments from `<name>.departments.csv`; extra columns (head count, cost centre …) are ignored. */
export function parseCsvDepartments(text: string, file: string): Located<Department>[] {
  return readRecords(text, file, departmentFieldOf, false, parseDepartment);
}

function readRecords<F extends string, T extends Identity | Department>(
  text: string,
  file: string,
  fieldOf: (name: string) => F | undefined,
  keepOtherColumns: boolean,
  parseRecord: (raw: Record<string, unknown>) => RecordResult<T>,
): Located<T>[] {
  const [header, ...rows] = readTable(text, file);
  if (!header) throw new FileSourceError('is empty; expected a header row', { file });
  const problems = new ProblemList();
  const headerAt = `line ${header.line}`;
  const columns = mapColumns(header.cells, fieldOf, headerAt, problems);
  if (!columns.fields.includes('id' as F)) problems.add(headerAt, 'has no id column');
  problems.throwIfAny(file);

  const located: Located<T>[] = [];
  for (const { line, cells } of rows) {
    const raw: Record<string, unknown> = {};
    const attributes: Record<string, string> = {};
    cells.forEach((cell, i) => {
      const field = columns.fields[i];
      const attribute = columns.attributes[i];
      if (field !== undefined) raw[field] = cell;
      else if (attribute !== undefined && keepOtherColumns) attributes[attribute] = cell;
    });
    if (keepOtherColumns) raw.attributes = attributes;
    const at = `line ${line}`;
    const result = parseRecord(raw);
    if (result.ok) located.push({ at, value: result.value });
    else for (const problem of result.problems) problems.add(entryLabel(at, rawIdOf(raw)), problem);
  }
  problems.throwIfAny(file);
  return located;
}

interface Columns<F> {
  /** The field each column holds, by column index; undefined for other columns. */
  fields: (F | undefined)[];
  /** The attribute name of each other column; undefined for blank headers (spreadsheet padding). */
  attributes: (string | undefined)[];
}

function mapColumns<F extends string>(
  header: string[], fieldOf: (name: string) => F | undefined, at: string, problems: ProblemList,
): Columns<F> {
  const columns: Columns<F> = { fields: [], attributes: [] };
  const seen = new Map<string, string>();
  header.forEach((name, i) => {
    if (name === '') return;
    const field = fieldOf(name);
    const key = field ?? `attribute:${name}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.add(at, earlier === name ? `column ${name} appears twice` : `columns ${earlier} and ${name} mean the same thing`);
      return;
    }
    seen.set(key, name);
    if (field !== undefined) columns.fields[i] = field;
    else columns.attributes[i] = name;
  });
  return columns;
}

// What csv-parse's codes mean, in words; its own messages can quote the file's contents.
const CSV_PROBLEMS: Readonly<Record<string, string>> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'has a different number of fields than the header',
  CSV_QUOTE_NOT_CLOSED: 'opens a quoted field that is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'has text right after a closing quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'has text right after a closing quote',
};

function readTable(text: string, file: string): CsvRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  // Loaded with the first CSV read, not at cold start: push and full-sync load the file source
  // whenever DIRECTORY_FILE is set, and most invocations read no file (or a JSON one).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('csv-parse/sync') as typeof import('csv-parse/sync');
  try {
    // With `info: true` each record comes wrapped with its position; the typings do not say so.
    records = parse(text, {
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      // Spreadsheets pad exports with rows of bare commas.
      skip_records_with_empty_values: true,
    }) as unknown as typeof records;
  } catch (error) {
    // Not chained: the parser's error carries the offending record's values.
    const { code, lines } = error as { code?: string; lines?: number };
    const what = (code && CSV_PROBLEMS[code]) ?? `cannot be parsed (${code ?? 'unknown error'})`;
    throw new FileSourceError(`is not valid CSV: line ${lines ?? '?'} ${what}`, { file });
  }
  return records.map(({ record, info }) => {
    // A CRLF file's multi-line cells hold CRLF; the same text in JSON would hold LF.
    const cells = record.map((cell) => cell.replace(/\r\n?/g, '\n'));
    // `info.lines` is where the record ends; quoted fields may span lines.
    const line = info.lines - cells.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    return { line, cells };
  });
}
