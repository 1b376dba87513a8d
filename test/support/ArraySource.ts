import { membersBelow } from '../../functions/lib/core/departmentTree';
import type { Department, Identity, SourceName } from '../../functions/lib/core/model';
import type { Source } from '../../functions/lib/core/ports';

/**
 * A source whose people are whatever the test says they are right now. `calls` counts reads per
 * method; departments can be moved, renamed and deleted (refused while people or sub-departments
 * remain, as DingTalk, Lark and WeCom refuse).
 */
export class ArraySource implements Source {
  readonly calls: Record<string, number> = {};
  constructor(readonly name: SourceName, private readonly people: Identity[], private readonly departments: Department[] = []) {}
  async getUser(id: string) { this.count('getUser'); return this.people.find((p) => p.sourceId === id); }
  async getDepartment(id: string) { this.count('getDepartment'); return this.departments.find((d) => d.sourceId === id); }
  async *listUsers() { this.count('listUsers'); yield* this.people; }
  async *listDepartments() { this.count('listDepartments'); yield* this.departments; }
  async listDepartmentMembers(id: string) {
    this.count('listDepartmentMembers');
    if (!this.departments.some((d) => d.sourceId === id)) return undefined;
    return (async function* (members: Identity[]) { yield* members; })(membersBelow(this.departments, this.people, id));
  }

  moveDepartment(id: string, parentId: string | undefined): void {
    const { parentId: _old, ...rest } = this.department(id);
    this.replace(id, parentId === undefined ? rest : { ...rest, parentId });
  }
  renameDepartment(id: string, name: string): void { this.replace(id, { ...this.department(id), name }); }
  deleteDepartment(id: string): void {
    this.department(id);
    if (this.departments.some((d) => d.parentId === id)) throw new Error(`department ${id} has sub-departments`);
    if (this.people.some((p) => p.departmentIds.includes(id))) throw new Error(`department ${id} has members`);
    this.departments.splice(this.departments.findIndex((d) => d.sourceId === id), 1);
  }

  private count(method: string): void { this.calls[method] = (this.calls[method] ?? 0) + 1; }
  private department(id: string): Department {
    const found = this.departments.find((d) => d.sourceId === id);
    if (!found) throw new Error(`no department ${id}`);
    return found;
  }
  private replace(id: string, department: Department): void {
    this.departments[this.departments.findIndex((d) => d.sourceId === id)] = department;
  }
}
