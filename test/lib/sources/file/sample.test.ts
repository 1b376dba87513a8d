import { join } from 'node:path';
import { createFileSource, parseFileSourceConfig } from '../../../../functions/lib/sources/file';
import { collect } from './fixtures/collect';

const SAMPLE = join(__dirname, '..', '..', '..', '..', 'infra', 'sample');

describe('the shipped sample directory', () => {
  const json = createFileSource(join(SAMPLE, 'directory.json'));
  const csv = createFileSource(join(SAMPLE, 'directory.csv'));

  it('loads as DIRECTORY_FILE', () => {
    expect(parseFileSourceConfig({ DIRECTORY_FILE: join(SAMPLE, 'directory.json') })).toMatchObject({ format: 'json' });
  });

  it('has about a dozen people in four departments, one of them a sub-department', async () => {
    const people = await collect(json.listUsers());
    const departments = await collect(json.listDepartments());
    expect(people).toHaveLength(12);
    expect(departments).toHaveLength(4);
    expect(departments.filter((d) => d.parentId !== undefined)).toHaveLength(1);
  });

  it('says the same in its JSON and CSV forms', async () => {
    expect(await collect(csv.listUsers())).toEqual(await collect(json.listUsers()));
    expect(await collect(csv.listDepartments())).toEqual(await collect(json.listDepartments()));
  });

  it('has a Chinese-named person without an email', async () => {
    const zhang = await json.getUser('e1007');
    expect(zhang).toMatchObject({ displayName: '张伟', status: 'active' });
    expect(zhang).not.toHaveProperty('email');
  });

  it('has exactly one disabled person', async () => {
    const people = await collect(json.listUsers());
    expect(people.filter((p) => p.status === 'disabled')).toHaveLength(1);
  });

  it('has two people whose email local parts collide in different mail domains', async () => {
    const people = await collect(json.listUsers());
    const liNa = people.filter((p) => p.email?.toLowerCase().startsWith('li.na@'));
    expect(new Set(liNa.map((p) => p.email!.split('@')[1]))).toEqual(new Set(['example.com', 'example.cn']));
  });

  it('has a person with an upper-case email', async () => {
    const people = await collect(json.listUsers());
    expect(people.some((p) => p.email !== undefined && p.email !== p.email.toLowerCase())).toBe(true);
  });

  it('uses only example domains and obviously fake mobiles', async () => {
    for (const person of await collect(json.listUsers())) {
      if (person.email) expect(person.email.toLowerCase()).toMatch(/@example\.(com|cn)$/);
      if (person.mobile) expect(person.mobile).toMatch(/^\+86-138000000\d\d$/);
    }
  });

  it('names only managers who are in the directory', async () => {
    const people = await collect(json.listUsers());
    const ids = new Set(people.map((p) => p.sourceId));
    for (const person of people) if (person.managerId) expect(ids).toContain(person.managerId);
  });
});
