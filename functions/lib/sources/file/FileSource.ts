/**
 * A directory kept in a file: an HR export (CSV) or the shipped sample (JSON). The reference
 * implementation of the `Source` port.
 */
import { stat } from 'node:fs/promises';
import { membersBelow } from '../../core/departmentTree';
import type { Department, Identity, SourceName } from '../../core/model';
import type { Source } from '../../core/ports';
import type { Directory } from './directory';
import { formatOf, loadDirectory } from './load';

/**
 * Reads the file on first use and answers from memory until the file changes (its modification
 * time or size), so a warm function or the local stack sees an edited export. Callers get copies,
 * so nothing they do changes what later calls answer.
 *
 * @example
 * const source = createFileSource('infra/sample/directory.json');
 * for await (const person of source.listUsers()) console.log(person.sourceId);
 * await source.getUser('e1007'); // the Identity, or undefined when absent
 */
export class FileSource implements Source {
  readonly name = 'file' satisfies SourceName;
  readonly identifier = { type: 'id' };
  readonly path: string;
  private cached?: { stamp: string; loading: Promise<Directory> };

  /** Throws FileSourceError at once for an extension other than .json or .csv. */
  constructor(path: string) {
    formatOf(path);
    this.path = path;
  }

  async getUser(sourceId: string): Promise<Identity | undefined> {
    const user = (await this.directory()).users.get(sourceId);
    return user && structuredClone(user);
  }

  async getDepartment(sourceId: string): Promise<Department | undefined> {
    const department = (await this.directory()).departments.get(sourceId);
    return department && structuredClone(department);
  }

  async *listUsers(): AsyncIterable<Identity> {
    for (const user of (await this.directory()).users.values()) yield structuredClone(user);
  }

  async *listDepartments(): AsyncIterable<Department> {
    for (const department of (await this.directory()).departments.values()) yield structuredClone(department);
  }

  /** From one reading of the file; a department the file no longer has is absent. */
  async listDepartmentMembers(departmentId: string): Promise<AsyncIterable<Identity> | undefined> {
    const { departments, users } = await this.directory();
    if (!departments.has(departmentId)) return undefined;
    return copies(membersBelow(departments.values(), users.values(), departmentId));
  }

  private async directory(): Promise<Directory> {
    const stamp = await stampOf(this.path);
    // Concurrent calls share one read. A failed read is forgotten so the next call retries
    // (the file may have been fixed, or the failure was transient).
    if (!this.cached || this.cached.stamp !== stamp) {
      const loading: Promise<Directory> = loadDirectory(this.path).catch((error: unknown) => {
        if (this.cached?.loading === loading) this.cached = undefined;
        throw error;
      });
      this.cached = { stamp, loading };
    }
    return this.cached.loading;
  }
}

async function* copies<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) yield structuredClone(item);
}

/** What tells a changed file; empty when it cannot be read (loading then says why). */
async function stampOf(path: string): Promise<string> {
  try {
    const info = await stat(path);
    return `${info.mtimeMs}:${info.size}`;
  } catch {
    return '';
  }
}

/** `new FileSource(path)`, for symmetry with the other sources' factories. */
export function createFileSource(path: string): FileSource {
  return new FileSource(path);
}
