import { createHash } from 'node:crypto';
import { OpenApiUtil } from '@alicloud/openapi-core';
import { canonicalQuery, percentEncode, signV3 } from '../../../functions/lib/openapi/signature';

/** The SDK's own V3 signer (what the generated SDKs sent before), as the oracle. */
function sdkAuthorization(headers: Record<string, string>, method: string, path: string, query: Record<string, string>, secret: string, akid: string) {
  const request = { method, pathname: path, query, headers: Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'authorization')) };
  return OpenApiUtil.getAuthorization(request as never, 'ACS3-HMAC-SHA256', headers['x-acs-content-sha256']!, akid, secret);
}

describe('signV3 (ACS3-HMAC-SHA256)', () => {
  const credentials = { accessKeyId: 'LTAI-test', accessKeySecret: 'secret-value' };
  const now = new Date('2026-01-02T03:04:05.678Z');

  it('signs an RPC request as @alicloud/openapi-core does', () => {
    const query = { GroupName: 'dev team', Comments: "it's (ours)*!", MaxItems: '100' };
    const headers = signV3({
      method: 'POST', path: '/', query, body: new Uint8Array(),
      headers: { host: 'ram.aliyuncs.com', 'x-acs-action': 'CreateGroup', 'x-acs-version': '2015-05-01', accept: 'application/json' },
    }, credentials, now, 'nonce-1');
    expect(headers['x-acs-date']).toBe('2026-01-02T03:04:05Z');
    expect(headers['x-acs-content-sha256']).toBe(createHash('sha256').update('').digest('hex'));
    expect(headers.authorization).toBe(sdkAuthorization(headers, 'POST', '/', query, credentials.accessKeySecret, credentials.accessKeyId));
    expect(headers.authorization).toMatch(/SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,/);
  });

  it('signs a ROA request with a body, content-type and STS headers as @alicloud/openapi-core does', () => {
    const sts = { ...credentials, securityToken: 'sts-token' };
    const body = Buffer.from('{"v":1}');
    const headers = signV3({
      method: 'POST', path: '/2023-03-30/functions/push/invocations', query: { qualifier: 'prod' }, body,
      headers: {
        host: '123.cn-hangzhou.fc.aliyuncs.com', 'x-acs-action': 'InvokeFunction', 'x-acs-version': '2023-03-30',
        'content-type': 'application/octet-stream', 'x-fc-invocation-type': 'Async',
      },
    }, sts, now, 'nonce-2');
    expect(headers['x-acs-security-token']).toBe('sts-token');
    expect(headers['x-acs-accesskey-id']).toBe('LTAI-test');
    expect(headers['x-acs-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
    expect(headers.authorization).toBe(sdkAuthorization(headers, 'POST', '/2023-03-30/functions/push/invocations', { qualifier: 'prod' }, sts.accessKeySecret, sts.accessKeyId));
    expect(headers.authorization).toContain('SignedHeaders=content-type;host;x-acs-accesskey-id;');
  });

  it('encodes as RFC 3986, sorted by key', () => {
    expect(percentEncode("a b!'()*~")).toBe('a%20b%21%27%28%29%2A~');
    expect(canonicalQuery({ b: '2', a: 'x y' })).toBe('a=x%20y&b=2');
  });
});
