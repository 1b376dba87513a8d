import path from 'node:path';
import { ConfigError } from '../../../functions/lib/core/errors';
import { engineFromEnv } from '../../../functions/lib/wiring/engine';

const SAMPLE = path.resolve(__dirname, '../../../infra/sample/directory.json');
const credentials = () => ({ accessKeyId: 'ak', accessKeySecret: 'sk' });
const variablesOf = (env: NodeJS.ProcessEnv) => {
  try {
    engineFromEnv(env, { credentials });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toMatch(/s3cret/);
    return (error as ConfigError).problems.map((p) => p.variable).sort();
  }
  throw new Error('expected a ConfigError');
};

describe('engineFromEnv (cold start)', () => {
  it('names every missing variable at once', () => {
    expect(variablesOf({})).toEqual(['DIRECTORY_FILE or DINGTALK_APP_KEY or LARK_APP_ID or WECOM_CORP_ID or AD_URL or LDAP_URL or ENTRA_TENANT_ID or OKTA_ORG_URL',
      'RAM_OAUTH_CLIENT_ID', 'RAM_OAUTH_CLIENT_SECRET', 'STATE_DIR']);
  });

  it('names malformed ones, never echoing a secret', () => {
    expect(variablesOf({
      DIRECTORY_FILE: '/nowhere/people.json', RAM_OAUTH_CLIENT_ID: 'id', RAM_OAUTH_CLIENT_SECRET: 's3cret',
      RAM_SCIM_URL: 'scim.aliyun.com', STATE_DIR: '/tmp/x', DEPROVISION_DELETED: 'shred', FULL_SYNC_CHUNK_STEPS: 'many',
    })).toEqual(['DEPROVISION_DELETED', 'DIRECTORY_FILE', 'FULL_SYNC_CHUNK_STEPS', 'RAM_SCIM_URL']);
  });

  it('builds the engine from a complete environment', () => {
    const engine = engineFromEnv({
      DIRECTORY_FILE: SAMPLE, RAM_OAUTH_CLIENT_ID: 'id', RAM_OAUTH_CLIENT_SECRET: 's3cret', STATE_DIR: '/tmp/state',
    }, { credentials });
    expect(engine.sources.map((s) => s.name)).toEqual(['file']);
    expect(engine.settings.policy).toEqual({ deleted: 'delete', disabled: 'suspend' });
  });
});

describe('engineFromEnv: sources', () => {
  const base = { RAM_OAUTH_CLIENT_ID: 'id', RAM_OAUTH_CLIENT_SECRET: 's3cret', STATE_DIR: '/tmp/state' };
  it('turns each source on from its own variables', () => {
    expect(engineFromEnv({ ...base, DINGTALK_APP_KEY: 'ding', DINGTALK_APP_SECRET: 'x' }, { credentials }).sources.map((s) => s.name)).toEqual(['dingtalk']);
    expect(engineFromEnv({ ...base, DIRECTORY_FILE: SAMPLE, DINGTALK_APP_KEY: 'ding', DINGTALK_APP_SECRET: 'x' }, { credentials }).sources.map((s) => s.name)).toEqual(['file', 'dingtalk']);
  });

  it('names a half-configured source', () => {
    expect(variablesOf({ ...base, DINGTALK_APP_KEY: 'ding' })).toEqual(['DINGTALK_APP_SECRET']);
  });
});
