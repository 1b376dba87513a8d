import { departmentsBelow, membersBelow } from '../../../functions/lib/core/departmentTree';
import type { Department, Identity } from '../../../functions/lib/core/model';
import { ArraySource } from '../../support/ArraySource';

const dept = (sourceId: string, parentId?: string): Department => ({ source: 'file', sourceId, name: `Dept ${sourceId}`, ...(parentId && { parentId }) });
const person = (sourceId: string, departmentIds: string[]): Identity => ({ source: 'file', sourceId, departmentIds, status: 'active' });

describe('departmentsBelow and membersBelow', () => {
  const departments = [dept('a'), dept('b', 'a'), dept('c', 'b'), dept('d', 'a'), dept('e')];
  const people = [person('p1', ['a']), person('p2', ['b', 'c']), person('p3', ['c']), person('p4', ['e']), person('p5', [])];

  it('takes the department and every level below it', () => {
    expect([...departmentsBelow(departments, 'b')].sort()).toEqual(['b', 'c']);
    expect([...departmentsBelow(departments, 'a')].sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('lists each member once, in the order given', () => {
    expect(membersBelow(departments, people, 'a').map((p) => p.sourceId)).toEqual(['p1', 'p2', 'p3']);
    expect(membersBelow(departments, people, 'c').map((p) => p.sourceId)).toEqual(['p2', 'p3']);
  });

  it('ends at a parent cycle instead of walking forever', () => {
    expect([...departmentsBelow([dept('x', 'y'), dept('y', 'x')], 'x')].sort()).toEqual(['x', 'y']);
  });
});

describe('ArraySource.listDepartmentMembers', () => {
  const ids = async (s: ArraySource, id: string) => {
    const listing = await s.listDepartmentMembers(id);
    if (!listing) return undefined;
    const out: string[] = [];
    for await (const p of listing) out.push(p.sourceId);
    return out;
  };

  it('follows departments moved, renamed and deleted, and counts reads', async () => {
    const people = [person('p1', ['a']), person('p2', ['b']), person('p3', ['e'])];
    const s = new ArraySource('file', people, [dept('a'), dept('b', 'a'), dept('e')]);
    s.moveDepartment('b', 'e');
    expect(await ids(s, 'e')).toEqual(['p2', 'p3']);
    s.renameDepartment('b', 'Renamed');
    expect(await s.getDepartment('b')).toEqual({ source: 'file', sourceId: 'b', name: 'Renamed', parentId: 'e' });
    expect(() => s.deleteDepartment('e')).toThrow(/sub-departments/);
    expect(() => s.deleteDepartment('a')).toThrow(/members/);
    s.moveDepartment('b', undefined);
    people[2] = person('p3', ['a']);
    expect(await s.getDepartment('b')).toEqual({ source: 'file', sourceId: 'b', name: 'Renamed' });
    s.deleteDepartment('e');
    expect(await ids(s, 'e')).toBeUndefined();
    expect(s.calls).toEqual({ listDepartmentMembers: 2, getDepartment: 2 });
  });
});
