import { chmod } from 'node:fs/promises';
import { relative } from 'node:path';
import { FileSourceError, parseFileSourceConfig } from '../../../../functions/lib/sources/file';
import { useScratchFiles } from './fixtures/scratch';

describe('parseFileSourceConfig', () => {
  const scratch = useScratchFiles();

  it('answers the absolute path and format of DIRECTORY_FILE', async () => {
    const path = await scratch.write('people.csv', 'id\nu1\n');
    expect(parseFileSourceConfig({ DIRECTORY_FILE: path })).toEqual({ path, format: 'csv' });
  });

  it('resolves a relative path against the working directory', async () => {
    const path = await scratch.write('relative.json', '{"people":[]}');
    expect(parseFileSourceConfig({ DIRECTORY_FILE: relative(process.cwd(), path) })).toEqual({ path, format: 'json' });
  });

  it('answers undefined when DIRECTORY_FILE is unset or blank: the source is off', () => {
    expect(parseFileSourceConfig({})).toBeUndefined();
    expect(parseFileSourceConfig({ DIRECTORY_FILE: '' })).toBeUndefined();
    expect(parseFileSourceConfig({ DIRECTORY_FILE: '  ' })).toBeUndefined();
  });

  it('names DIRECTORY_FILE when the file does not exist', () => {
    const missing = scratch.path('missing.json');
    const attempt = () => parseFileSourceConfig({ DIRECTORY_FILE: missing });
    expect(attempt).toThrow(FileSourceError);
    expect(attempt).toThrow(`DIRECTORY_FILE=${missing} does not exist`);
  });

  it('names DIRECTORY_FILE when the path is a folder', async () => {
    const folder = scratch.path('folder.json');
    await scratch.write('folder.json/inside.txt', '');
    expect(() => parseFileSourceConfig({ DIRECTORY_FILE: folder })).toThrow(`DIRECTORY_FILE=${folder} is not a file`);
  });

  it('names DIRECTORY_FILE when the extension is neither .json nor .csv', async () => {
    const path = await scratch.write('people.xlsx', '');
    expect(() => parseFileSourceConfig({ DIRECTORY_FILE: path })).toThrow(`DIRECTORY_FILE=${path} must name a .json or .csv file`);
  });

  // Root reads everything, so unreadable files can only be shown to an ordinary user.
  const asRoot = process.getuid?.() === 0;
  (asRoot ? it.skip : it)('names DIRECTORY_FILE when the file cannot be read', async () => {
    const path = await scratch.write('locked.csv', 'id\n');
    await chmod(path, 0o000);
    expect(() => parseFileSourceConfig({ DIRECTORY_FILE: path })).toThrow(`DIRECTORY_FILE=${path} cannot be read (EACCES)`);
  });
});
