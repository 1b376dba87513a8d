import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileSource, FileSourceError } from '../../../../functions/lib/sources/file';
import { collect } from './fixtures/collect';
import { useScratchFiles } from './fixtures/scratch';

const fixture = (name: string) => join(__dirname, 'fixtures', name);
const usersOf = (path: string) => collect(createFileSource(path).listUsers());
const departmentsOf = (path: string) => collect(createFileSource(path).listDepartments());
const failureOf = (path: string) => createFileSource(path).getUser('any').then(
  () => { throw new Error('expected the file to be refused'); },
  (error: unknown) => error as FileSourceError,
);

describe('FileSource reading CSV', () => {
  const scratch = useScratchFiles();

  it('reads a file with a UTF-8 BOM and CRLF line ends like the plain file', async () => {
    const plain = await readFile(fixture('people.csv'), 'utf8');
    const windows = `\uFEFF${plain.replace(/\n/g, '\r\n')}`;
    await scratch.write('windows.departments.csv', await readFile(fixture('people.departments.csv')));
    const path = await scratch.write('windows.csv', windows);
    const users = await usersOf(path);
    expect(users).toEqual(await usersOf(fixture('people.csv')));
    // A line break inside a quoted field reads as \n, as it would from JSON.
    expect(users[0]?.attributes?.note).toBe('Desk 4\nFloor 2');
  });

  it('accepts the common column aliases, in any case and spelling', async () => {
    expect(await usersOf(fixture('aliases.csv'))).toEqual(await usersOf(fixture('people.json')));
  });

  it('derives departments from the ids people name when there is no departments file', async () => {
    expect(await departmentsOf(fixture('aliases.csv'))).toEqual([
      { source: 'file', sourceId: 'd1', name: 'd1' },
      { source: 'file', sourceId: 'd2', name: 'd2' },
      { source: 'file', sourceId: 'd3', name: 'd3' },
    ]);
  });

  it('falls back to a departments.csv beside the file', async () => {
    await scratch.write('shared/departments.csv', 'dept_id,dept_name,parent_dept_id,head_count\nhq,Head Office,,3\nops,Operations,hq,2\n');
    const path = await scratch.write('shared/staff.csv', 'id,name,department\nu1,Ada,ops\n');
    expect(await departmentsOf(path)).toEqual([
      { source: 'file', sourceId: 'hq', name: 'Head Office' },
      { source: 'file', sourceId: 'ops', name: 'Operations', parentId: 'hq' },
    ]);
  });

  it('turns unknown columns into attributes and leaves blank ones out', async () => {
    const path = await scratch.write('extra.csv', 'id,name,Cost Center,badge\nu1,Ada,CC-9,\nu2,Ben,,\n');
    const [ada, ben] = await usersOf(path);
    expect(ada?.attributes).toEqual({ 'Cost Center': 'CC-9' });
    expect(ben).not.toHaveProperty('attributes');
  });

  it('splits departments on ; or |, trims them and drops repeats', async () => {
    const path = await scratch.write('split.csv', 'id,departments\nu1, a ; b |a|\n');
    // No departments file, so the ids people name are the departments.
    const [user] = await usersOf(path);
    expect(user?.departmentIds).toEqual(['a', 'b']);
  });

  it('maps enabled and active columns to status', async () => {
    const path = await scratch.write('flags.csv', 'id,active\nu1,TRUE\nu2,no\nu3,\nu4,0\n');
    expect((await usersOf(path)).map((u) => u.status)).toEqual(['active', 'disabled', 'active', 'disabled']);
  });

  it('skips blank lines, comma-only padding rows and nameless padding columns', async () => {
    const path = await scratch.write('padded.csv', 'id,name,,\n\nu1,Ada,,\n,,,\nu2,Ben,,\n');
    expect((await usersOf(path)).map((u) => u.sourceId)).toEqual(['u1', 'u2']);
  });

  it('reads a header with no rows as an empty directory', async () => {
    const path = await scratch.write('nobody.csv', 'id,name,email\n');
    expect(await usersOf(path)).toEqual([]);
    expect(await departmentsOf(path)).toEqual([]);
  });

  it('refuses an empty file', async () => {
    const path = await scratch.write('empty.csv', '');
    expect((await failureOf(path)).message).toBe(`${path}: is empty; expected a header row`);
  });

  it('refuses a file without an id column', async () => {
    const path = await scratch.write('noid.csv', 'name,email\nAda,ada@example.com\n');
    expect((await failureOf(path)).message).toContain('line 1: has no id column');
  });

  it('refuses two columns that mean the same field', async () => {
    const path = await scratch.write('twice.csv', 'id,email,Mail\nu1,a@example.com,b@example.com\n');
    const error = await failureOf(path);
    expect(error.message).toContain('line 1: columns email and Mail mean the same thing');
    expect(error.message).not.toContain('example.com');
  });

  it('names the line of a malformed record without quoting it', async () => {
    const path = await scratch.write('broken.csv', 'id,email\nu1,ada@example.com\nu2,"ben@example.com"x\n');
    const error = await failureOf(path);
    expect(error.message).toBe(`${path}: is not valid CSV: line 3 has text right after a closing quote`);
    expect(error.cause).toBeUndefined();
  });

  it('names the line of a record with too few fields', async () => {
    const path = await scratch.write('short.csv', 'id,name,email\nu1,Ada,ada@example.com\nu2,ben@example.com\n');
    const error = await failureOf(path);
    expect(error.message).toContain('line 3 has a different number of fields than the header');
    expect(error.message).not.toContain('ben@');
  });

  it('refuses UTF-16, the Excel "Unicode Text" export', async () => {
    const path = await scratch.write('utf16.csv', Buffer.from('\uFEFFid,name\nu1,Ada\n', 'utf16le'));
    expect((await failureOf(path)).message).toMatch(/is UTF-16/);
  });

  it('refuses bytes that are not UTF-8, such as a GBK export', async () => {
    // "张伟" in GBK.
    const gbk = Buffer.concat([Buffer.from('id,name\nu1,'), Buffer.from([0xd5, 0xc5, 0xce, 0xb0]), Buffer.from('\n')]);
    const path = await scratch.write('gbk.csv', gbk);
    expect((await failureOf(path)).message).toMatch(/is not UTF-8/);
  });
});
