/**
 * A made-up company of any size as a directory file (the file source's format), for the resumable
 * full sync's specs, its SIGKILL test and its benchmark. Deterministic: the same options give the
 * same people.
 */
import { writeFileSync } from 'node:fs';

export interface CompanyOptions {
  people: number;
  /** Every n-th person (from the first) is renamed in displayName: a changed directory. */
  renameEvery?: number;
  /** Every n-th person (from the second) has left. */
  leftEvery?: number;
  /** People added after the first `people`. */
  hires?: number;
}

export const COMPANY_GROUPS = [{ department: 'eng', group: 'engineering' }, { department: 'sales', group: 'sales' }];

export function companyDirectory(options: CompanyOptions): object {
  const people = [];
  for (let i = 0; i < options.people + (options.hires ?? 0); i++) {
    if (options.leftEvery && i % options.leftEvery === 1 && i < options.people) continue;
    const renamed = options.renameEvery !== undefined && i % options.renameEvery === 0;
    people.push({
      id: `p${i}`, userName: `person.${i}`, displayName: `Person ${i}${renamed ? ' (renamed)' : ''}`,
      departments: [i % 3 === 0 ? 'eng' : i % 3 === 1 ? 'sales' : 'finance'], status: 'active',
    });
  }
  return {
    departments: [{ id: 'eng', name: 'Engineering' }, { id: 'sales', name: 'Sales' }, { id: 'finance', name: 'Finance' }],
    people,
  };
}

export function writeCompany(file: string, options: CompanyOptions): void {
  writeFileSync(file, JSON.stringify(companyDirectory(options)));
}
