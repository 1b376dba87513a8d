import { ConfigError } from '../../../functions/lib/core/errors';
import { currentInvocation, invocationFrom, roleCredentials, runInvocation } from '../../../functions/lib/fc/invocation';

const ENV = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-env', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret', ALIBABA_CLOUD_SECURITY_TOKEN: 'env-token',
};

describe('invocationFrom', () => {
  it('keeps what FC sends about the invocation', () => {
    const invocation = invocationFrom({
      requestId: '1-abc', region: 'cn-hangzhou', accountId: '123', retryCount: 2,
      function: { name: 'push', handler: 'index.handler', memory: 512, timeout: 600 },
      credentials: { accessKeyId: 'STS.id', accessKeySecret: 'sts-secret', securityToken: 'sts-token' },
    }, 'ignored');
    expect(invocation).toEqual({
      requestId: '1-abc', region: 'cn-hangzhou', accountId: '123', retryCount: 2, functionName: 'push',
      credentials: { accessKeyId: 'STS.id', accessKeySecret: 'sts-secret', securityToken: 'sts-token' },
    });
  });

  it('treats the empty credentials of a role-less function as none, and names local invocations', () => {
    const invocation = invocationFrom({ requestId: '', credentials: {} }, 'lark-webhook');
    expect(invocation.credentials).toBeUndefined();
    expect(invocation.functionName).toBe('lark-webhook');
    expect(invocation.requestId).toMatch(/^local-[0-9a-f-]{36}$/);
  });
});

describe('roleCredentials', () => {
  it("prefers the current invocation's role credentials over the environment", async () => {
    const context = { requestId: 'r1', credentials: { accessKeyId: 'STS.id', accessKeySecret: 'sts-secret', securityToken: 'sts-token' } };
    const seen = await runInvocation(invocationFrom(context), async () => {
      await Promise.resolve();
      return roleCredentials(ENV);
    });
    expect(seen).toEqual({ accessKeyId: 'STS.id', accessKeySecret: 'sts-secret', securityToken: 'sts-token' });
    expect(currentInvocation()).toBeUndefined();
  });

  it('falls back to ALIBABA_CLOUD_* when the function has no role or there is no invocation', () => {
    expect(roleCredentials(ENV)).toEqual({ accessKeyId: 'LTAI-env', accessKeySecret: 'env-secret', securityToken: 'env-token' });
    const noRole = runInvocation(invocationFrom({ requestId: 'r2', credentials: {} }), () =>
      roleCredentials({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-env', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret' }));
    expect(noRole).toEqual({ accessKeyId: 'LTAI-env', accessKeySecret: 'env-secret' });
  });

  it('throws a ConfigError naming the missing variables, without any value', () => {
    const attempt = (env: NodeJS.ProcessEnv) => {
      try {
        roleCredentials(env);
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('expected a ConfigError');
    };
    const none = attempt({});
    expect(none).toBeInstanceOf(ConfigError);
    expect(none.problems.map((p) => p.variable)).toEqual(['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET']);
    expect(none.message).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
    const half = attempt({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-half', ALIBABA_CLOUD_ACCESS_KEY_SECRET: '  ' });
    expect(half.problems.map((p) => p.variable)).toEqual(['ALIBABA_CLOUD_ACCESS_KEY_SECRET']);
    expect(half.message).not.toContain('LTAI-half');
  });
});
