import { maskId } from '../../../../functions/lib/core/redact';
import { createFileSource, FileSourceError } from '../../../../functions/lib/sources/file';
import { useScratchFiles } from './fixtures/scratch';

const failureOf = (path: string) => createFileSource(path).listUsers()[Symbol.asyncIterator]().next().then(
  () => { throw new Error('expected the file to be refused'); },
  (error: unknown) => error as FileSourceError,
);

describe('FileSource validation', () => {
  const scratch = useScratchFiles();

  it('names the line and field of a bad email, and not the value', async () => {
    const path = await scratch.write('bad-email.csv', [
      'id,name,email',
      'e1001,Ada,ada@example.com',
      'e1002,Ben,ben.example.com',
      '',
    ].join('\n'));
    const error = await failureOf(path);
    expect(error).toBeInstanceOf(FileSourceError);
    expect(error.name).toBe('FileSourceError');
    expect(error.retryable).toBe(false);
    expect(error.file).toBe(path);
    expect(error.problems).toEqual([`line 3 (id ${maskId('e1002')}): field email is not an email address`]);
    expect(error.message).toBe(`${path}: is not a valid directory (1 problem):\n  line 3 (id ${maskId('e1002')}): field email is not an email address`);
    expect(error.message).not.toContain('ben.example.com');
  });

  it('names the entry and field of a bad mobile in JSON, and not the value', async () => {
    const path = await scratch.write('bad-mobile.json', JSON.stringify({
      people: [{ id: 'e1001' }, { id: 'e1002', mobile: 'call 138-0000-0002' }],
    }));
    const error = await failureOf(path);
    expect(error.problems).toEqual([`people[1] (id ${maskId('e1002')}): field mobile is not a phone number`]);
    expect(error.message).not.toContain('138');
  });

  it('counts lines as the file has them, past multi-line quoted fields', async () => {
    const path = await scratch.write('multiline.csv', 'id,note,status\nu1,"one\ntwo\nthree",active\nu2,,retired\n');
    expect((await failureOf(path)).problems).toEqual([`line 5 (id ${maskId('u2')}): field status must be active or disabled`]);
  });

  it('lists every bad row at once', async () => {
    const path = await scratch.write('many.csv', 'id,email,enabled,status\n,a@example.com,,\nu2,,maybe,\nu3,,false,active\nu4,x@,,\n');
    const error = await failureOf(path);
    expect(error.problems).toEqual([
      'line 2: field id is missing',
      `line 3 (id ${maskId('u2')}): field enabled must be true or false`,
      `line 4 (id ${maskId('u3')}): fields status and enabled disagree`,
      `line 5 (id ${maskId('u4')}): field email is not an email address`,
    ]);
    expect(error.message).toContain('(4 problems)');
    expect(error.message).not.toMatch(/a@example\.com|x@/);
  });

  it('shows no raw id, whatever it is: a person\'s name, an email', async () => {
    const path = await scratch.write('name-ids.csv', 'id,mobile\n张三丰,not a phone\n');
    const error = await failureOf(path);
    expect(error.problems).toEqual([
      `line 2 (id ${maskId('张三丰')}): field mobile is not a phone number`,
    ]);
    expect(error.message).not.toContain('张');
  });

  it('does not show an id that is itself an email address', async () => {
    const path = await scratch.write('email-ids.csv', 'id,mobile\nada@example.com,not a phone\n');
    const error = await failureOf(path);
    expect(error.problems).toEqual([`line 2 (id ${maskId('ada@example.com')}): field mobile is not a phone number`]);
    expect(error.message).not.toContain('ada@');
  });

  it('refuses duplicate person ids in CSV, naming the id and its lines', async () => {
    const path = await scratch.write('dupes.csv', 'id,name\ne1001,Ada\ne1002,Ben\ne1001,Ada Again\n');
    const error = await failureOf(path);
    expect(error).toBeInstanceOf(FileSourceError);
    expect(error.problems).toEqual([`duplicate person id ${maskId('e1001')}: appears at line 2, line 4`]);
  });

  it('refuses duplicate person and department ids in JSON, naming the indices', async () => {
    const path = await scratch.write('dupes.json', JSON.stringify({
      departments: [{ id: 'd1', name: 'One' }, { id: 'd1', name: 'Also One' }],
      people: [{ id: 'u1' }, { id: 'u2' }, { id: 'u1' }, { id: 'u1' }],
    }));
    expect((await failureOf(path)).problems).toEqual([
      `duplicate person id ${maskId('u1')}: appears at people[0], people[2], people[3]`,
      `duplicate department id ${maskId('d1')}: appears at departments[0], departments[1]`,
    ]);
  });

  it('refuses duplicate ids in a departments CSV, naming that file and its lines', async () => {
    await scratch.write('twodepts.departments.csv', 'id,name\nd1,One\nd1,Uno\n');
    const path = await scratch.write('twodepts.csv', 'id,departments\nu1,d1\n');
    const error = await failureOf(path);
    expect(error.problems).toEqual([
      `duplicate department id ${maskId('d1')}: appears at twodepts.departments.csv line 2, twodepts.departments.csv line 3`,
    ]);
  });

  it('names the departments file when one of its rows is bad', async () => {
    const departments = await scratch.write('nameless.departments.csv', 'id,name\nd1,One\nd2,\n');
    const path = await scratch.write('nameless.csv', 'id,departments\nu1,d1\n');
    const error = await failureOf(path);
    expect(error.file).toBe(departments);
    expect(error.problems).toEqual([`line 3 (id ${maskId('d2')}): field name is missing`]);
  });

  it('refuses a person in a department the file does not list', async () => {
    const path = await scratch.write('unknown-dept.json', JSON.stringify({
      departments: [{ id: 'd1', name: 'One' }],
      people: [{ id: 'u1', departments: ['d1', 'd9'] }],
    }));
    expect((await failureOf(path)).problems).toEqual([`people[0] (id ${maskId('u1')}): field departments names unknown department d9`]);
  });

  it('refuses an unknown parent and a parent cycle', async () => {
    const path = await scratch.write('cycle.json', JSON.stringify({
      departments: [
        { id: 'a', name: 'A', parentId: 'b' }, { id: 'b', name: 'B', parentId: 'a' },
        { id: 'c', name: 'C', parentId: 'zz' }, { id: 'd', name: 'D', parentId: 'd' },
      ],
      people: [],
    }));
    expect((await failureOf(path)).problems).toEqual([
      `departments[2] (id ${maskId('c')}): field parentId names unknown department zz`,
      'departments: a → b → a form a parent cycle',
      'departments: d → d form a parent cycle',
    ]);
  });

  it('lists twenty problems in the message and counts the rest', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `u${i},bad`);
    const path = await scratch.write('lots.csv', ['id,email', ...rows, ''].join('\n'));
    const error = await failureOf(path);
    expect(error.problems).toHaveLength(25);
    expect(error.message).toContain(`line 21 (id ${maskId('u19')}): field email`);
    expect(error.message).not.toContain(`line 22 (id ${maskId('u20')})`);
    expect(error.message).toMatch(/… and 5 more$/);
  });
});
