import { maskId } from '../../../../functions/lib/core/redact';
import { createFileSource, FileSourceError } from '../../../../functions/lib/sources/file';
import { collect } from './fixtures/collect';
import { useScratchFiles } from './fixtures/scratch';

const failureOf = (path: string) => createFileSource(path).getUser('any').then(
  () => { throw new Error('expected the file to be refused'); },
  (error: unknown) => error as FileSourceError,
);

describe('FileSource reading JSON', () => {
  const scratch = useScratchFiles();
  const writeJson = (name: string, document: unknown) => scratch.write(name, JSON.stringify(document, null, 2));

  it('accepts aliased keys and numeric ids', async () => {
    const path = await writeJson('aliases.json', {
      departments: [{ dept_id: 10, dept_name: 'Ops' }],
      people: [{ User_ID: 1007, Name: '张伟', Dept: [10], enabled: false, 'Job Number': 42, Phone: 13800000007 }],
    });
    expect(await createFileSource(path).getUser('1007')).toEqual({
      source: 'file', sourceId: '1007', displayName: '张伟', mobile: '13800000007', employeeId: '42',
      departmentIds: ['10'], status: 'disabled',
    });
    expect(await createFileSource(path).getDepartment('10')).toEqual({ source: 'file', sourceId: '10', name: 'Ops' });
  });

  it('treats empty strings as absent, as a blank CSV cell is', async () => {
    const path = await writeJson('blank.json', { people: [{ id: 'u1', email: '', title: '  ', departments: [] }] });
    expect(await createFileSource(path).getUser('u1')).toEqual({
      source: 'file', sourceId: 'u1', departmentIds: [], status: 'active',
    });
  });

  it('derives departments from people when the file has no departments list', async () => {
    const path = await writeJson('nodepts.json', { people: [{ id: 'u1', departments: ['x', 'y'] }] });
    expect(await collect(createFileSource(path).listDepartments())).toEqual([
      { source: 'file', sourceId: 'x', name: 'x' },
      { source: 'file', sourceId: 'y', name: 'y' },
    ]);
  });

  it('ignores top-level metadata keys', async () => {
    const path = await writeJson('meta.json', { description: 'export', exportedAt: '2024-01-01', people: [{ id: 'u1' }] });
    expect(await createFileSource(path).getUser('u1')).toMatchObject({ sourceId: 'u1' });
  });

  it('refuses an unknown key in a person, pointing at attributes', async () => {
    const path = await writeJson('typo.json', { people: [{ id: 'u1', emial: 'ada@example.com' }] });
    const error = await failureOf(path);
    expect(error.problems).toEqual([`people[0] (id ${maskId('u1')}): field emial is not known (extra fields go under attributes)`]);
    expect(error.message).not.toContain('ada@');
  });

  it('refuses two keys that mean the same field', async () => {
    const path = await writeJson('twice.json', { people: [{ id: 'u1', email: 'a@example.com', mail: 'b@example.com' }] });
    expect((await failureOf(path)).problems).toEqual([`people[0] (id ${maskId('u1')}): fields email and mail mean the same thing`]);
  });

  it('names the entry and field of a value of the wrong type', async () => {
    const path = await writeJson('types.json', {
      people: [{ id: 'u1' }, { id: 'u2', departments: [{ id: 'd1' }], attributes: { level: ['x'] } }, 'u3'],
      departments: [{ id: 'd1' }],
    });
    expect((await failureOf(path)).problems).toEqual([
      `people[1] (id ${maskId('u2')}): field departments[0] must be text`,
      `people[1] (id ${maskId('u2')}): field attributes.level must be text`,
      'people[2]: must be an object',
      `departments[0] (id ${maskId('d1')}): field name is missing`,
    ]);
  });

  it('refuses a document without a people list', async () => {
    const path = await writeJson('nopeople.json', { users: [] });
    expect((await failureOf(path)).problems).toEqual(['top level: field people must be a list']);
    const arrayPath = await writeJson('array.json', [{ id: 'u1' }]);
    expect((await failureOf(arrayPath)).message).toMatch(/must hold a JSON object with a "people" list/);
  });

  it('reports a syntax error by line and column, without quoting the text', async () => {
    const path = await scratch.write('syntax.json', '{\n  "people": [\n    { "id": "u1", "email": ada@example.com }\n  ]\n}\n');
    const error = await failureOf(path);
    expect(error.message).not.toContain('ada@');
    expect(error.cause).toBeUndefined();
    const trailingComma = await scratch.write('comma.json', '{\n  "people": [\n    { "id": "u1", }\n  ]\n}\n');
    const second = await failureOf(trailingComma);
    expect(second.message).toBe(`${trailingComma}: is not valid JSON (line 3, column 19)`);
  });

  it('reads a JSON file that starts with a BOM', async () => {
    const path = await scratch.write('bom.json', `\uFEFF${JSON.stringify({ people: [{ id: 'u1' }] })}`);
    expect(await createFileSource(path).getUser('u1')).toMatchObject({ sourceId: 'u1' });
  });
});
