/**
 * The file source's configuration: `DIRECTORY_FILE`, the path of a `.json` or `.csv` directory.
 * Checked once at start-up, so a wrong path fails there with the variable's name in the message.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Env } from '../../core/config';
import { FileSourceError } from './errors';
import { formatOf, type FileFormat } from './load';

export interface FileSourceConfig {
  /** Absolute path of the directory file (relative values are resolved against the working directory). */
  path: string;
  format: FileFormat;
}

/**
 * Reads `DIRECTORY_FILE`. Undefined when it is unset or blank (the source is off); throws
 * FileSourceError naming `DIRECTORY_FILE` when the file is missing, unreadable or not .json/.csv.
 *
 * @example
 * const config = parseFileSourceConfig(process.env);
 * const source = config && createFileSource(config.path);
 */
export function parseFileSourceConfig(env: Env): FileSourceConfig | undefined {
  // Unset or blank means the file source is off: deploy templates often render unset values as ''.
  const value = env.DIRECTORY_FILE?.trim() || undefined;
  if (value === undefined) return undefined;
  const path = resolve(value);
  let format: FileFormat;
  try {
    format = formatOf(path);
  } catch (error) {
    throw new FileSourceError(`DIRECTORY_FILE=${value} must name a .json or .csv file`, { cause: error });
  }
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
    accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'unknown error'})`;
    throw new FileSourceError(`DIRECTORY_FILE=${value} ${why}`, { cause: error });
  }
  if (!isFile) throw new FileSourceError(`DIRECTORY_FILE=${value} is not a file`);
  return { path, format };
}
