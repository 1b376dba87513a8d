/**
 * `npm run sync`'s arguments: a sync (the default), `--held`, or `--release ID… | all`, each with
 * what it may be combined with. `main()` has already given a bare `--allow-deletes` its '' value.
 */
import { parseSyncArgs } from '../../../infra/cli/sync';

const defaults = {
  mode: 'sync', dryRun: false, sources: undefined, allowDeletes: undefined, release: undefined,
  remote: false, json: false, all: false, help: false,
};

describe('parseSyncArgs', () => {
  describe('a sync', () => {
    it('applies every source with nothing given', () => {
      expect(parseSyncArgs([])).toEqual(defaults);
    });

    it('takes --dry-run, repeated --source, --json and --all', () => {
      expect(parseSyncArgs(['--dry-run', '--source', 'file', '--source', 'ad', '--json', '--all']))
        .toEqual({ ...defaults, dryRun: true, sources: ['file', 'ad'], json: true, all: true });
    });

    it.each([
      ['--allow-deletes 25: at most that many', ['--allow-deletes', '25'], 25],
      ['--allow-deletes=3', ['--allow-deletes=3'], 3],
      ['--allow-deletes 0: none', ['--allow-deletes', '0'], 0],
      ['a bare --allow-deletes (normalized to \'\'): any count', ['--allow-deletes', ''], true],
      ['--allow-deletes all: any count', ['--allow-deletes', 'all'], true],
    ])('%s', (_name, argv, allowDeletes) => {
      expect(parseSyncArgs(argv)).toEqual({ ...defaults, allowDeletes });
    });

    it('keeps a bare --allow-deletes alongside other flags', () => {
      expect(parseSyncArgs(['--allow-deletes', '', '--json'])).toEqual({ ...defaults, allowDeletes: true, json: true });
    });

    it('takes --html FILE, with --json, and --remote with it (the deployed system\'s plan report)', () => {
      expect(parseSyncArgs(['--dry-run', '--html', 'plan.html', '--json'])).toEqual({ ...defaults, dryRun: true, html: 'plan.html', json: true });
      expect(parseSyncArgs(['--html=run.html'])).toEqual({ ...defaults, html: 'run.html' });
      expect(parseSyncArgs(['--dry-run', '--html', 'plan.html', '--remote', '--source', 'ad']))
        .toEqual({ ...defaults, dryRun: true, html: 'plan.html', remote: true, sources: ['ad'] });
    });

    it('answers --help', () => {
      expect(parseSyncArgs(['--help'])).toEqual({ ...defaults, help: true });
    });
  });

  describe('the held list', () => {
    it('is --held, locally by default', () => {
      expect(parseSyncArgs(['--held'])).toEqual({ ...defaults, mode: 'held' });
    });

    it('takes --json and --remote', () => {
      expect(parseSyncArgs(['--held', '--json', '--remote'])).toEqual({ ...defaults, mode: 'held', json: true, remote: true });
    });
  });

  describe('a release', () => {
    it('names each externalId once', () => {
      expect(parseSyncArgs(['--release', 'file:e1', 'file:e1', 'file:e2'])).toMatchObject({ release: ['file:e1', 'file:e2'] });
    });

    it('names the externalIds to release, in the order given', () => {
      expect(parseSyncArgs(['--release', 'file:e1001', 'file:e1002']))
        .toEqual({ ...defaults, mode: 'release', release: ['file:e1001', 'file:e1002'] });
    });

    it('takes the ids before or after the flag', () => {
      expect(parseSyncArgs(['file:e1001', '--release'])).toEqual({ ...defaults, mode: 'release', release: ['file:e1001'] });
    });

    it('is everyone with all', () => {
      expect(parseSyncArgs(['--release', 'all'])).toEqual({ ...defaults, mode: 'release', release: 'all' });
    });

    it('takes --json and --remote', () => {
      expect(parseSyncArgs(['--release', 'all', '--remote', '--json']))
        .toEqual({ ...defaults, mode: 'release', release: 'all', remote: true, json: true });
      expect(parseSyncArgs(['--remote', '--release', 'dingtalk:u1']))
        .toEqual({ ...defaults, mode: 'release', release: ['dingtalk:u1'], remote: true });
    });
  });

  describe('the failed list', () => {
    it('lists it, here or --remote', () => {
      expect(parseSyncArgs(['--failed'])).toEqual({ ...defaults, mode: 'failed' });
      expect(parseSyncArgs(['--failed', '--remote', '--json'])).toEqual({ ...defaults, mode: 'failed', remote: true, json: true });
    });

    it('retries the keys given, once each, or all', () => {
      expect(parseSyncArgs(['--retry-failed', 'file:a1', 'dingtalk:department:7', 'file:a1']))
        .toEqual({ ...defaults, mode: 'retry-failed', retryFailed: ['file:a1', 'dingtalk:department:7'] });
      expect(parseSyncArgs(['--retry-failed', 'all', '--remote'])).toEqual({ ...defaults, mode: 'retry-failed', retryFailed: 'all', remote: true });
    });

    it.each([
      ['--retry-failed without keys', ['--retry-failed'], /--retry-failed needs the keys to retry \(see --failed\), or all/],
      ['all mixed with keys', ['--retry-failed', 'all', 'file:a1'], /--retry-failed all retries every entry: give it alone/],
      ['--failed with --held', ['--failed', '--held'], /choose one/],
      ['a key with --failed', ['--failed', 'file:a1'], /unexpected argument file:a1/],
      ['--dry-run on a retry', ['--retry-failed', 'all', '--dry-run'], /--dry-run does not apply to --retry-failed/],
    ])('refuses %s', (_name, argv, message) => {
      expect(() => parseSyncArgs(argv)).toThrow(message);
    });
  });

  describe('refuses', () => {
    it.each([
      ['--held with --release', ['--held', '--release', 'all'], /--held and --release: choose one/],
      ['--release with the flags the other way round', ['--release', 'file:e1001', '--held'], /choose one/],
      ['--release without ids', ['--release'], /--release needs the externalIds to release \(see --held\), or all/],
      ['--release without ids, even with --remote', ['--release', '--remote'], /--release needs the externalIds/],
      ['an id without --release', ['file:e1001'], /unexpected argument file:e1001/],
      ['an id with --held', ['--held', 'file:e1001'], /unexpected argument file:e1001/],
      ['all without --release', ['all'], /unexpected argument all/],
      ['--remote on a sync', ['--remote'], /--remote works with --held, --release, --failed, --retry-failed, --migrate-ids, --discard-unfinished or a sync's --html report/],
      ['--remote on a dry run', ['--dry-run', '--remote'], /--remote works with .* or a sync's --html report/],
      ['--html without a file', ['--dry-run', '--html='], /--html needs the file to write/],
      ['--html followed by a flag instead of a file', ['--dry-run', '--html', '--json'], /'--html' argument is ambiguous/],
      ['--html on --held (the held list has its own table)', ['--held', '--html', 'h.html'], /--html does not apply to --held/],
      ['a preview of a release (it would really release)', ['--release', 'all', '--dry-run'], /--dry-run does not apply to --release/],
      ['all mixed with ids (it would widen the release)', ['--release', 'file:e1001', 'all'], /--release all releases everyone: give it alone/],
      ['--source on a release (a release is not limited by source)', ['--release', 'all', '--source', 'file'], /--source does not apply to --release/],
      ['--allow-deletes on --held', ['--held', '--allow-deletes', '3'], /--allow-deletes does not apply to --held/],
      ['--all on --held', ['--held', '--all'], /--all does not apply to --held/],
      ['--allow-deletes in another notation', ['--allow-deletes', '1e2'], /--allow-deletes 1e2: expected a whole number/],
      ['--allow-deletes blank', ['--allow-deletes', ' '], /expected a whole number/],
      ['--allow-deletes with a word', ['--allow-deletes', 'some'], /--allow-deletes some: expected a whole number/],
      ['--allow-deletes with a fraction', ['--allow-deletes', '2.5'], /--allow-deletes 2\.5: expected a whole number/],
      ['--allow-deletes with a negative number', ['--allow-deletes=-1'], /--allow-deletes -1: expected a whole number/],
      ['an unknown flag', ['--relase', 'all'], /--relase/],
      ['a value for a boolean flag', ['--held=yes'], /--held/],
    ])('%s', (_name, argv, message) => {
      expect(() => parseSyncArgs(argv)).toThrow(message);
    });
  });
});
