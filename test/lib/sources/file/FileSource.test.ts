import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Identity } from '../../../../functions/lib/core/model';
import { createFileSource, FileSource, FileSourceError } from '../../../../functions/lib/sources/file';
import { collect } from './fixtures/collect';
import { useScratchFiles } from './fixtures/scratch';

const fixture = (name: string) => join(__dirname, 'fixtures', name);

const ADA: Identity = {
  source: 'file',
  sourceId: 'u1',
  userName: 'ada',
  displayName: 'Ada Park',
  email: 'ada.park@example.com',
  mobile: '+86-13800000101',
  employeeId: 'E-01',
  title: 'Head of Research, Labs',
  departmentIds: ['d1', 'd2'],
  status: 'active',
  attributes: { costCenter: 'CC-1', note: 'Desk 4\nFloor 2' },
};

describe('FileSource', () => {
  const scratch = useScratchFiles();

  it('is the file source', () => {
    expect(createFileSource(fixture('people.json')).name).toBe('file');
  });

  it('reads people from JSON as Identities, in file order', async () => {
    const users = await collect(createFileSource(fixture('people.json')).listUsers());
    expect(users.map((u) => u.sourceId)).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect(users[0]).toEqual(ADA);
    expect(users[1]).toEqual({
      source: 'file', sourceId: 'u2', displayName: 'Sean "Jack" O\'Brien', email: 'SEAN@EXAMPLE.CN',
      departmentIds: ['d2'], status: 'disabled', managerId: 'u1',
    });
  });

  it('defaults status to active and departments to none', async () => {
    const nobody = await createFileSource(fixture('people.json')).getUser('u4');
    expect(nobody).toEqual({ source: 'file', sourceId: 'u4', displayName: 'Nobody Yet', departmentIds: [], status: 'active' });
  });

  it('reads the same people and departments from CSV as from JSON', async () => {
    const json = createFileSource(fixture('people.json'));
    const csv = createFileSource(fixture('people.csv'));
    expect(await collect(csv.listUsers())).toEqual(await collect(json.listUsers()));
    expect(await collect(csv.listDepartments())).toEqual(await collect(json.listDepartments()));
  });

  it('lists departments with their parents', async () => {
    const departments = await collect(createFileSource(fixture('people.csv')).listDepartments());
    expect(departments).toEqual([
      { source: 'file', sourceId: 'd1', name: 'Research' },
      { source: 'file', sourceId: 'd2', name: 'Labs, East', parentId: 'd1' },
      { source: 'file', sourceId: 'd3', name: '研发中心' },
    ]);
  });

  it('finds one user and one department by id', async () => {
    const source = new FileSource(fixture('people.json'));
    expect(await source.getUser('u1')).toEqual(ADA);
    expect(await source.getDepartment('d2')).toEqual({ source: 'file', sourceId: 'd2', name: 'Labs, East', parentId: 'd1' });
  });

  it('answers undefined for a user or department that is absent', async () => {
    const source = createFileSource(fixture('people.json'));
    expect(await source.getUser('u404')).toBeUndefined();
    expect(await source.getUser('U1')).toBeUndefined();
    expect(await source.getDepartment('d404')).toBeUndefined();
  });

  it('sees an edited file: a warm function or the local stack follows the export', async () => {
    const path = scratch.path('edited.json');
    await copyFile(fixture('people.json'), path);
    const source = createFileSource(path);
    expect(await source.getUser('u1')).toEqual(ADA);
    const doc = JSON.parse(await readFile(path, 'utf8'));
    doc.people[0].displayName = 'Ada L.';
    await writeFile(path, JSON.stringify(doc));
    expect(await source.getUser('u1')).toMatchObject({ displayName: 'Ada L.' });
    await rm(path);
    await expect(source.getUser('u1')).rejects.toThrow(FileSourceError);
  });

  it('does not read the file before it is first asked', async () => {
    const path = scratch.path('later.json');
    const source = createFileSource(path);
    await copyFile(fixture('people.json'), path);
    expect(await source.getUser('u3')).toMatchObject({ displayName: '刘洋' });
  });

  it('hands out copies, so a caller cannot change what later calls answer', async () => {
    const source = createFileSource(fixture('people.json'));
    const first = await source.getUser('u1');
    first!.departmentIds.push('d3');
    first!.attributes!.costCenter = 'changed';
    expect(await source.getUser('u1')).toEqual(ADA);
  });

  it('reads again after a failed read, once the file is there', async () => {
    const path = scratch.path('appears.json');
    const source = createFileSource(path);
    const error = await source.getUser('u1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileSourceError);
    expect(error).toMatchObject({ file: path, retryable: false });
    expect((error as Error).message).toContain('ENOENT');
    await copyFile(fixture('people.json'), path);
    expect(await source.getUser('u1')).toEqual(ADA);
  });

  it('lists a department\'s members with its sub-departments, each person once', async () => {
    const source = createFileSource(fixture('people.json'));
    const ids = async (id: string) => {
      const listing = await source.listDepartmentMembers(id);
      return listing && (await collect(listing)).map((p) => p.sourceId);
    };
    // u1 sits in d1 and its sub-department d2.
    expect(await ids('d1')).toEqual(['u1', 'u2']);
    expect(await ids('d2')).toEqual(['u1', 'u2']);
    expect(await ids('d3')).toEqual(['u3']);
    expect(await ids('d404')).toBeUndefined();
  });

  it('follows an edited export: a department moved under another, or removed', async () => {
    const path = scratch.path('departments.json');
    const doc = JSON.parse(await readFile(fixture('people.json'), 'utf8'));
    doc.departments[2].parentId = 'd1';
    await writeFile(path, JSON.stringify(doc));
    const source = createFileSource(path);
    expect((await collect((await source.listDepartmentMembers('d1'))!)).map((p) => p.sourceId)).toEqual(['u1', 'u2', 'u3']);
    doc.departments.pop();
    doc.people[2].departments = [];
    await writeFile(path, JSON.stringify(doc, null, 1));
    expect(await source.listDepartmentMembers('d3')).toBeUndefined();
  });

  it('refuses an extension other than .json or .csv when created', () => {
    expect(() => createFileSource(fixture('people.xlsx'))).toThrow(/unsupported extension; use \.json or \.csv/);
  });

  it('chooses the format by extension in any case', async () => {
    const path = await scratch.write('UPPER.CSV', 'id,name\nu1,Ada\n');
    expect(await createFileSource(path).getUser('u1')).toMatchObject({ displayName: 'Ada' });
  });
});
