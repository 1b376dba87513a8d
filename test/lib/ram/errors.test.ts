import { maskText } from '../../../functions/lib/core/redact';
import { ClientError, ServerError, ThrottlingError } from '@alicloud/openapi-core';
import {
  FinalRamError, RamAuthError, RamConflictError, RamNotFoundError, RetryableRamError,
  parseRetryAfter, translateScimResponse, translateSdkError, translateTransportError,
} from '../../../functions/lib/ram/errors';

describe('translateScimResponse', () => {
  it('makes 429 and 5xx retryable and keeps Retry-After in milliseconds', () => {
    const throttled = translateScimResponse(429, {}, '2', 'scim.createUser');
    expect(throttled).toBeInstanceOf(RetryableRamError);
    expect(throttled.retryAfterMs).toBe(2000);
    expect(translateScimResponse(503, undefined, null, 'scim.getUser')).toBeInstanceOf(RetryableRamError);
  });

  it('maps 401, 404 and 409 to their final classes with the scimType as code', () => {
    expect(translateScimResponse(401, {}, null, 'op')).toBeInstanceOf(RamAuthError);
    expect(translateScimResponse(404, {}, null, 'op')).toBeInstanceOf(RamNotFoundError);
    const conflict = translateScimResponse(409, { scimType: 'uniqueness', detail: 'exists' }, null, 'scim.createUser');
    expect(conflict).toBeInstanceOf(RamConflictError);
    expect(conflict.code).toBe('uniqueness');
    expect(conflict.retryable).toBe(false);
  });

  it('never puts an email or mobile from the server into the message', () => {
    const error = translateScimResponse(400, { scimType: 'invalidValue', detail: 'bad alice@corp.example 86-13812345678' }, null, 'op');
    expect(error).toBeInstanceOf(FinalRamError);
    expect(error.message).not.toContain('alice@corp.example');
    expect(error.message).not.toContain('13812345678');
    expect(error.recommendedAction).toMatch(/userName template/);
  });
});

describe('translateSdkError', () => {
  const sdk = { requestId: 'r', data: { Message: 'msg' } };

  it('makes a ThrottlingError retryable with its retryAfter in ms, whatever the status', () => {
    const error = translateSdkError(new ThrottlingError({ ...sdk, code: 'Throttling.User', statusCode: 400, retryAfter: 1500 }), 'ListGroups');
    expect(error).toBeInstanceOf(RetryableRamError);
    expect(error.retryAfterMs).toBe(1500);
    expect(error.recommendedAction).toMatch(/RAM_RATE_LIMIT/);
  });

  it('makes ServerError and ServiceUnavailable retryable', () => {
    expect(translateSdkError(new ServerError({ ...sdk, code: 'InternalError', statusCode: 500 }), 'op')).toBeInstanceOf(RetryableRamError);
    expect(translateSdkError(new ClientError({ ...sdk, code: 'ServiceUnavailable', statusCode: 503 }), 'op')).toBeInstanceOf(RetryableRamError);
  });

  it('keeps the RAM code and recommends what to do', () => {
    const error = translateSdkError(new ClientError({ ...sdk, code: 'DeleteConflict.User.AccessKey', statusCode: 409 }), 'DeleteUser');
    expect(error).toBeInstanceOf(RamConflictError);
    expect(error.code).toBe('DeleteConflict.User.AccessKey');
    expect(error.recommendedAction).toBe("delete or hand over the user's AccessKeys in the RAM console, then re-run");
    const limit = translateSdkError(new ClientError({ ...sdk, code: 'LimitExceeded.User.Group', statusCode: 409 }), 'AddUserToGroup');
    expect(limit.recommendedAction).toBe('a RAM user may be in 5 groups: reduce group rules or raise the quota');
    const denied = translateSdkError(new ClientError({ ...sdk, code: 'NoPermission', statusCode: 403 }), 'AddUserToGroup');
    expect(denied).toBeInstanceOf(RamAuthError);
    expect(denied.recommendedAction).toMatch(/function role/);
    const name = translateSdkError(new ClientError({ ...sdk, code: 'InvalidParameter.GroupName.InvalidChars', statusCode: 400 }), 'CreateGroup');
    expect(name.recommendedAction).toMatch(/groupName must be 1-64/);
  });

  it('treats a dropped connection (a plain error without statusCode) as retryable', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const error = translateSdkError(reset, 'ListGroups');
    expect(error).toBeInstanceOf(RetryableRamError);
    expect(error.code).toBe('NetworkError');
    expect(error.cause).toBe(reset);
  });
});

describe('translateTransportError', () => {
  it('names a timeout', () => {
    const error = translateTransportError(new DOMException('timed out', 'TimeoutError'), 'scim.getUser');
    expect(error.code).toBe('Timeout');
    expect(error.retryable).toBe(true);
    // what @darabonba/typescript throws when readTimeout passes
    const sdk = Object.assign(new Error('ReadTimeout(300). POST http://127.0.0.1/ failed.'), { name: 'RequestTimeoutError' });
    expect(translateTransportError(sdk, 'ListGroups').code).toBe('Timeout');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('120')).toBe(120_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('the masker RAM errors use (core/redact)', () => {
  it('removes tokens, secrets, emails and mobiles', () => {
    const text = maskText('Bearer abc.def Basic Y2lkOjE= eyJhbGciOi.eyJzdWIi.sig client_secret=s3 a@b.co +8613812345678 user 42');
    expect(text).not.toMatch(/abc\.def|Y2lk|eyJ|s3|a@b\.co|13812345678/);
    expect(text).toContain('user 42');
  });
});

describe('translateSdkError on an unreadable answer', () => {
  it('is final, since the same answer would come again', () => {
    const error = translateSdkError(new Error('type of group is mismatch'), 'ListGroupsForUser');
    expect(error).toBeInstanceOf(FinalRamError);
    expect(error.code).toBe('MalformedResponse');
  });
});
