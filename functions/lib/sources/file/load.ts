/**
 * Reads a directory file from disk: the bytes, their encoding, the format by extension, and for
 * CSV the departments file beside it.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseCsvDepartments, parseCsvPeople } from './csv';
import { buildDirectory, type Directory, type ParsedDirectory } from './directory';
import { FileSourceError } from './errors';
import { parseJsonDirectory } from './json';

export const FILE_FORMATS = { json: 'json', csv: 'csv' } as const;
export type FileFormat = (typeof FILE_FORMATS)[keyof typeof FILE_FORMATS];

/** The format a path's extension names (`.json`, `.csv`, any case). */
export function formatOf(path: string): FileFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.csv') return 'csv';
  throw new FileSourceError('has an unsupported extension; use .json or .csv', { file: path });
}

/**
 * Where a CSV's departments are: `<name>.departments.csv` beside it, else `departments.csv` beside
 * it (the usual pair of HR exports), else nowhere and departments are derived from people.
 */
function departmentFileCandidates(path: string): string[] {
  const directory = dirname(path);
  const own = join(directory, `${basename(path, extname(path))}.departments.csv`);
  const shared = join(directory, 'departments.csv');
  return [own, shared].filter((candidate) => resolve(candidate) !== resolve(path));
}

/** Reads, validates and indexes the whole directory; throws FileSourceError listing every problem. */
export async function loadDirectory(path: string): Promise<Directory> {
  const format = formatOf(path);
  const parsed = format === 'json' ? parseJsonDirectory(await readText(path), path) : await loadCsv(path);
  return buildDirectory(parsed, path);
}

async function loadCsv(path: string): Promise<ParsedDirectory> {
  const people = parseCsvPeople(await readText(path), path);
  for (const candidate of departmentFileCandidates(path)) {
    const text = await readText(candidate, { optional: true });
    if (text === undefined) continue;
    // Checks across records report against the people file; say which file these lines are in.
    const departments = parseCsvDepartments(text, candidate).map(({ at, value }) => ({
      at: `${basename(candidate)} ${at}`, value,
    }));
    return { people, departments };
  }
  return { people };
}

// Missing, forbidden or a folder: fixing the path is the only cure. Anything else may pass.
const FINAL_READ_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR']);

async function readText(path: string, options: { optional: true }): Promise<string | undefined>;
async function readText(path: string): Promise<string>;
async function readText(path: string, options?: { optional: true }): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (options?.optional && code === 'ENOENT') return undefined;
    throw new FileSourceError(`cannot be read (${code ?? 'unknown error'})`, {
      file: path, cause: error, retryable: !FINAL_READ_CODES.has(code ?? ''),
    });
  }
  return decodeUtf8(bytes, path);
}

/** UTF-8 with or without a BOM; anything else is refused rather than read as mojibake. */
function decodeUtf8(bytes: Uint8Array, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new FileSourceError('is UTF-16 (Excel "Unicode Text"); save it as CSV UTF-8', { file });
  }
  try {
    // `fatal` rejects invalid sequences (e.g. a GBK export) instead of replacing them with U+FFFD.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    throw new FileSourceError('is not UTF-8 (a GBK or Latin-1 export?); save it as UTF-8', { file, cause: error });
  }
}
