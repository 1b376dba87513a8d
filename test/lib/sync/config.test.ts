import { ConfigError } from '../../../functions/lib/core/errors';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import { parseSyncSettings } from '../../../functions/lib/sync/config';

const problemsOf = (env: Record<string, string>) => {
  try {
    parseSyncSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.variable).sort();
  }
  throw new Error('expected a ConfigError');
};

describe('parseSyncSettings', () => {
  it('has a documented default for everything', () => {
    expect(parseSyncSettings({})).toEqual({
      rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD,
    });
  });

  it('treats empty variables as unset', () => {
    expect(parseSyncSettings({ DEPROVISION_DELETED: '', SYNC_GROUP_RULES: ' ' }).policy.deleted).toBe('delete');
  });

  it('reads templates, scope, group rules, policies and limits', () => {
    const s = parseSyncSettings({
      SYNC_USERNAME_TEMPLATES: '{attr.sAMAccountName}, {sourceId}',
      SYNC_INCLUDE_DEPARTMENTS: 'eng, Sales',
      SYNC_EXCLUDE_DEPARTMENTS: 'contractors',
      SYNC_STATUSES: 'active',
      SYNC_GROUP_RULES: 'eng=ram-eng, Finance Team=ram-finance',
      DEPROVISION_DELETED: 'suspend',
      DEPROVISION_DISABLED: 'none',
      SAFEGUARD_MAX_DELETES: '5',
      SAFEGUARD_MAX_DELETE_PERCENT: '2.5',
      SAFEGUARD_WINDOW_MINUTES: '30',
    });
    expect(s.rules.userName).toEqual(['{attr.sAMAccountName}', '{sourceId}']);
    expect(s.rules.scope).toEqual({ includeDepartments: ['eng', 'Sales'], excludeDepartments: ['contractors'], statuses: ['active'] });
    expect(s.rules.groups).toEqual([{ department: 'eng', group: 'ram-eng' }, { department: 'Finance Team', group: 'ram-finance' }]);
    expect(s.policy).toEqual({ deleted: 'suspend', disabled: 'none' });
    expect(s.safeguard).toEqual({ maxDeletes: 5, maxDeletePercent: 2.5, windowMinutes: 30 });
  });

  it('names every bad variable at once', () => {
    expect(problemsOf({
      SYNC_USERNAME_TEMPLATES: '{nickname}',
      SYNC_STATUSES: 'active,frozen',
      SYNC_GROUP_RULES: 'eng=ram eng',
      DEPROVISION_DISABLED: 'shred',
      SAFEGUARD_MAX_DELETES: '-1',
      SAFEGUARD_MAX_DELETE_PERCENT: '150',
      SAFEGUARD_WINDOW_MINUTES: '0',
    })).toEqual([
      'DEPROVISION_DISABLED', 'SAFEGUARD_MAX_DELETES', 'SAFEGUARD_MAX_DELETE_PERCENT', 'SAFEGUARD_WINDOW_MINUTES', 'SYNC_GROUP_RULES',
      'SYNC_STATUSES', 'SYNC_USERNAME_TEMPLATES',
    ].sort());
  });
});
