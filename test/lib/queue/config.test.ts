import { ConfigError } from '../../../functions/lib/core/errors';
import { parseQueueConfig, queueSqlitePath } from '../../../functions/lib/queue/config';

const problems = (env: Record<string, string>) => {
  try {
    parseQueueConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('parseQueueConfig', () => {
  it('defaults to FC 3.0 async invocation of "push"', () => {
    expect(parseQueueConfig({})).toEqual({ kind: 'fc3', functionName: 'push' });
  });

  it('reads the function, qualifier and an endpoint override for fc3', () => {
    expect(parseQueueConfig({
      QUEUE_KIND: 'fc3', PUSH_FUNCTION_NAME: 'ram-push', PUSH_QUALIFIER: 'prod', FC_INVOKE_ENDPOINT: 'http://127.0.0.1:9100',
    })).toEqual({ kind: 'fc3', functionName: 'ram-push', qualifier: 'prod', endpoint: 'http://127.0.0.1:9100' });
  });

  it('requires the service name for fc2 and turns a bare endpoint into a URL', () => {
    expect(problems({ QUEUE_KIND: 'fc2' })).toEqual([{ variable: 'PUSH_SERVICE_NAME', problem: 'is required when QUEUE_KIND is fc2' }]);
    expect(parseQueueConfig({ QUEUE_KIND: 'fc2', PUSH_SERVICE_NAME: 'ram-sync', FC_INVOKE_ENDPOINT: '127.0.0.1:9100' }))
      .toEqual({ kind: 'fc2', serviceName: 'ram-sync', functionName: 'push', endpoint: 'http://127.0.0.1:9100' });
    expect(parseQueueConfig({ QUEUE_KIND: 'fc2', PUSH_SERVICE_NAME: 's', FC_INVOKE_ENDPOINT: '1.cn-hangzhou.fc.aliyuncs.com' }))
      .toMatchObject({ endpoint: 'https://1.cn-hangzhou.fc.aliyuncs.com' });
  });

  it('uses the SQLite file for the local queue, .state/queue.sqlite by default', () => {
    expect(parseQueueConfig({ QUEUE_KIND: 'sqlite' })).toEqual({ kind: 'sqlite', path: '.state/queue.sqlite' });
    expect(parseQueueConfig({ QUEUE_KIND: 'sqlite', QUEUE_SQLITE_PATH: '/var/q.db' })).toEqual({ kind: 'sqlite', path: '/var/q.db' });
    expect(queueSqlitePath({ QUEUE_SQLITE_PATH: ' ' })).toBe('.state/queue.sqlite');
  });

  it('names every malformed variable, never its value', () => {
    const found = problems({
      QUEUE_KIND: 'fc2', PUSH_FUNCTION_NAME: '9 bad name', PUSH_QUALIFIER: 'a/b', PUSH_SERVICE_NAME: 'svc!', FC_INVOKE_ENDPOINT: 'ftp://x/y',
    });
    expect(found.map((p) => p.variable).sort()).toEqual(['FC_INVOKE_ENDPOINT', 'PUSH_FUNCTION_NAME', 'PUSH_QUALIFIER', 'PUSH_SERVICE_NAME']);
    expect(JSON.stringify(found)).not.toMatch(/9 bad name|a\/b|svc!|ftp/);
  });

  it('refuses an unknown queue kind', () => {
    expect(problems({ QUEUE_KIND: 'mns' })).toEqual([{ variable: 'QUEUE_KIND', problem: 'must be one of fc3, fc2, sqlite' }]);
  });
});
