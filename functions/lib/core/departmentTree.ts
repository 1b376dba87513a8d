/**
 * A department's members, sub-departments included, for sources that hold their whole directory in
 * memory (an export file, tests). Vendor sources page through their APIs instead. Pure.
 */
import type { Department, Identity } from './model';

/**
 * The ids of `top` and every department below it. A parent cycle (bad data) ends where it closes.
 *
 * @example
 * departmentsBelow([{ source: 'file', sourceId: 'd2', name: 'Labs', parentId: 'd1' }], 'd1') // Set { 'd1', 'd2' }
 */
export function departmentsBelow(departments: Iterable<Department>, top: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const d of departments) {
    if (d.parentId !== undefined) children.set(d.parentId, [...(children.get(d.parentId) ?? []), d.sourceId]);
  }
  const tree = new Set([top]);
  for (const id of tree) for (const child of children.get(id) ?? []) tree.add(child);
  return tree;
}

/** The people in `top` or below it, each once, in the order given. */
export function membersBelow(departments: Iterable<Department>, people: Iterable<Identity>, top: string): Identity[] {
  const tree = departmentsBelow(departments, top);
  return [...people].filter((person) => person.departmentIds.some((id) => tree.has(id)));
}
