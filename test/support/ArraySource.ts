import type { Department, Identity, SourceName } from '../../functions/lib/core/model';
import type { Source } from '../../functions/lib/core/ports';

/** A source whose people are whatever the test says they are right now. */
export class ArraySource implements Source {
  constructor(readonly name: SourceName, private readonly people: Identity[], private readonly departments: Department[] = []) {}
  async getUser(id: string) { return this.people.find((p) => p.sourceId === id); }
  async getDepartment(id: string) { return this.departments.find((d) => d.sourceId === id); }
  async *listUsers() { yield* this.people; }
  async *listDepartments() { yield* this.departments; }
}
