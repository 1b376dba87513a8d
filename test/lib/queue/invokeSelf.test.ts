import { invokeAsync } from '../../../functions/lib/queue/invokeSelf';
import { type FcInvokeServer, startFcInvokeServer } from '../../support/fcInvokeServer';

describe('invokeAsync: full-sync continuing itself', () => {
  let fc: FcInvokeServer;
  const credentials = { accessKeyId: 'STS.fc-test-akid', accessKeySecret: 'fc-test-secret', securityToken: 'sts-token-value' };
  beforeEach(async () => { fc = await startFcInvokeServer(credentials); });
  afterEach(() => fc.close());

  it('invokes the function asynchronously, signed with the role, with the payload as the body', async () => {
    await invokeAsync({ functionName: 'ram-scim-sync-full-sync', endpoint: fc.url, credentials }, { dryRun: false });
    expect(fc.rejected).toEqual([]);
    expect(fc.invocations).toHaveLength(1);
    expect(fc.invocations[0]).toMatchObject({ api: 'fc3', functionName: 'ram-scim-sync-full-sync' });
    expect(fc.invocations[0]!.headers['x-fc-invocation-type']).toBe('Async');
    expect(JSON.parse(fc.invocations[0]!.body.toString('utf8'))).toEqual({ dryRun: false });
  });

  it('fails when FC refuses, so the caller can say who continues instead', async () => {
    fc.failNext(1, 403);
    await expect(invokeAsync({ functionName: 'f', endpoint: fc.url, credentials }, {})).rejects.toThrow();
  });
});
