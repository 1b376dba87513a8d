/** `npm run sync -- --migrate-ids SOURCE`: a mode of its own, beside the plan, --held and --release. */
import { parseSyncArgs } from '../../../infra/cli/sync';

describe('parseSyncArgs --migrate-ids', () => {
  it('reaches a deployed system with --remote', () => {
    expect(parseSyncArgs(['--migrate-ids', 'lark', '--remote', '--dry-run'])).toMatchObject({ mode: 'migrate-ids', remote: true, dryRun: true });
  });

  it('selects the migration mode for the named source, with --dry-run and --json', () => {
    expect(parseSyncArgs(['--migrate-ids', 'lark'])).toMatchObject({ mode: 'migrate-ids', migrateIds: 'lark', dryRun: false, json: false });
    expect(parseSyncArgs(['--migrate-ids=lark', '--dry-run', '--json'])).toMatchObject({ mode: 'migrate-ids', migrateIds: 'lark', dryRun: true, json: true });
  });

  it('leaves the other modes as they were', () => {
    expect(parseSyncArgs(['--dry-run'])).toMatchObject({ mode: 'sync', dryRun: true });
    expect(parseSyncArgs(['--dry-run']).migrateIds).toBeUndefined();
    expect(parseSyncArgs(['--held', '--json'])).toMatchObject({ mode: 'held', json: true });
    expect(parseSyncArgs(['--release', 'lark:on_1'])).toMatchObject({ mode: 'release', release: ['lark:on_1'] });
  });

  it.each([
    [['--migrate-ids'], /argument missing|needs the source/],
    [['--migrate-ids', '--dry-run'], /ambiguous|needs the source/],
    [['--migrate-ids', 'lark', '--held'], /--held and --migrate-ids: choose one/],
    [['--migrate-ids', 'lark', '--release', 'all'], /--release and --migrate-ids: choose one/],
    [['--migrate-ids', 'lark', '--source', 'file'], /--source does not apply to --migrate-ids/],
    [['--migrate-ids', 'lark', '--allow-deletes', '3'], /--allow-deletes does not apply to --migrate-ids/],
    [['--migrate-ids', 'lark', '--all'], /--all does not apply to --migrate-ids/],
    [['--migrate-ids', 'lark', 'wecom'], /unexpected argument wecom/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseSyncArgs(argv)).toThrow(message);
  });
});
