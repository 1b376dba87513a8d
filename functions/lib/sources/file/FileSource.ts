/**
 * A directory kept in a file: an HR export (CSV) or the shipped sample (JSON). The reference
 * implementation of the `Source` port.
 */
import type { Department, Identity, SourceName } from '../../core/model';
import type { Source } from '../../core/ports';
import type { Directory } from './directory';
import { formatOf, loadDirectory } from './load';

/**
 * Reads the file once, on first use, and answers from memory after that; a new FileSource reads
 * it again. Callers get copies, so nothing they do changes what later calls answer.
 *
 * @example
 * const source = createFileSource('infra/sample/directory.json');
 * for await (const person of source.listUsers()) console.log(person.sourceId);
 * await source.getUser('e1007'); // the Identity, or undefined when absent
 */
export class FileSource implements Source {
  readonly name = 'file' satisfies SourceName;
  readonly path: string;
  private loading?: Promise<Directory>;

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

  private directory(): Promise<Directory> {
    // Concurrent first calls share one read. A failed read is forgotten so the next call retries
    // (the file may have been fixed, or the failure was transient).
    this.loading ??= loadDirectory(this.path).catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }
}

/** `new FileSource(path)`, for symmetry with the other sources' factories. */
export function createFileSource(path: string): FileSource {
  return new FileSource(path);
}
