/**
 * The MNS signature against the service's own worked example ("How do I obtain the signature
 * string of an API request?", alibabacloud.com/help/en/mns/support/how-do-i-obtain-the-signature-string-of-an-api-request,
 * also help.aliyun.com document 175633): GET /MyQueue, Date Thu, 09 Jul 2015 03:01:34 GMT,
 * x-mns-version 2015-06-06, TestAccessID / TestAccessSecret → "uwx3yeWoILzgmvesW0BQSgfM****".
 * The page masks the last four characters; the full value below is ours and matches its prefix.
 */
import { canonicalMnsHeaders, mnsAuthorization, mnsSignature, mnsStringToSign } from '../../../infra/mns/signature';

const example = {
  method: 'GET',
  date: 'Thu, 09 Jul 2015 03:01:34 GMT',
  headers: { Date: 'Thu, 09 Jul 2015 03:01:34 GMT', 'x-mns-version': '2015-06-06', Host: '123.mns.cn-hangzhou.aliyuncs.com' },
  resource: '/MyQueue',
};

describe('MNS request signature', () => {
  it('builds the documented string to sign', () => {
    expect(mnsStringToSign(example)).toBe('GET\n\n\nThu, 09 Jul 2015 03:01:34 GMT\nx-mns-version:2015-06-06\n/MyQueue');
  });

  it('gives the documented signature', () => {
    const signature = mnsSignature('TestAccessSecret', example);
    expect(signature.startsWith('uwx3yeWoILzgmvesW0BQSgfM')).toBe(true);
    expect(signature).toBe('uwx3yeWoILzgmvesW0BQSgfM7b8=');
    expect(mnsAuthorization('TestAccessID', 'TestAccessSecret', example)).toBe('MNS TestAccessID:uwx3yeWoILzgmvesW0BQSgfM7b8=');
  });

  it('signs x-mns-* headers lower-cased and sorted, and nothing else', () => {
    expect(canonicalMnsHeaders({ 'X-MNS-Version': '2015-06-06', 'x-mns-date': 'd', 'content-type': 'text/xml', 'security-token': 't' }))
      .toBe('x-mns-date:d\nx-mns-version:2015-06-06\n');
  });
});
