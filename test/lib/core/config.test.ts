import { envReader, isAllowedEndpoint, isAllowedUrl } from '../../../functions/lib/core/config';
import { ConfigError, ConfigProblems } from '../../../functions/lib/core/errors';

describe('the URL rule', () => {
  it('takes https anywhere and http only to a loopback host', () => {
    for (const ok of ['https://oapi.dingtalk.com', 'https://open.larksuite.com/open-apis/', 'http://127.0.0.1:9100/v1/token', 'http://localhost:8080', 'http://[::1]:9/cgi-bin']) {
      expect([ok, isAllowedUrl(ok)]).toEqual([ok, true]);
    }
    for (const bad of ['http://proxy.corp.example/api', 'ftp://x', 'scim.aliyun.com', 'https://user:pw@example.com', 'https://example.com/?a=1', 'https://example.com/#x', '']) {
      expect([bad, isAllowedUrl(bad)]).toEqual([bad, false]);
    }
  });

  it('takes an endpoint as a host[:port] or such a URL without a path', () => {
    for (const ok of ['ram.aliyuncs.com', '1.cn-hangzhou.fc.aliyuncs.com:443', '127.0.0.1:9100', 'http://127.0.0.1:9100/', 'https://ram.aliyuncs.com']) {
      expect([ok, isAllowedEndpoint(ok)]).toEqual([ok, true]);
    }
    for (const bad of ['ftp://x/y', 'http://ram.aliyuncs.com', 'https://ram.aliyuncs.com/v1', 'a b']) {
      expect([bad, isAllowedEndpoint(bad)]).toEqual([bad, false]);
    }
  });
});

describe('envReader', () => {
  const problemsOf = (read: (r: ReturnType<typeof envReader>) => unknown, env: Record<string, string>) => {
    const problems = new ConfigProblems();
    read(envReader(env, problems));
    try {
      problems.throwIfAny();
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };

  it('names the variable and the rule, never the value', () => {
    expect(problemsOf((r) => r.url('X_URL', 'https://x'), { X_URL: 'http://s3cret.example' }))
      .toEqual([{ variable: 'X_URL', problem: expect.not.stringContaining('s3cret') }]);
    expect(problemsOf((r) => r.integer('N', { fallback: 1, min: 1, max: 9, unit: 'seconds' }), { N: '10' }))
      .toEqual([{ variable: 'N', problem: 'must be a whole number of seconds from 1 to 9' }]);
    expect(problemsOf((r) => r.flag('F', false), { F: 'yes' })).toEqual([{ variable: 'F', problem: 'must be true or false' }]);
  });

  it('counts blank as unset, except for a secret, and strips a URL of trailing slashes', () => {
    const read = envReader({ A: '  ', P: '  ', U: 'https://x/api//' }, new ConfigProblems());
    expect([read.text('A'), read.secret('P'), read.url('U', 'https://d')]).toEqual([undefined, '  ', 'https://x/api']);
  });
});
