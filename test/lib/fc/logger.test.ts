import { RetryableRamError } from '../../../functions/lib/ram/errors';
import { ConfigError } from '../../../functions/lib/core/errors';
import { invocationFrom, runInvocation } from '../../../functions/lib/fc/invocation';
import { levelFromEnv } from '../../../functions/lib/fc/logger';
import { maskText, sanitize } from '../../../functions/lib/core/redact';
import { captureLogger } from './logSink';

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, msg and the fields', () => {
    const { log, lines, text } = captureLogger();
    log.info('queued changes', { count: 3 });
    expect(text).toHaveLength(1);
    expect(text[0]).not.toContain('\n');
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'queued changes', count: 3 });
    expect(Date.parse(lines[0]!.time)).not.toBeNaN();
    expect(Object.keys(lines[0]!).slice(0, 3)).toEqual(['time', 'level', 'msg']);
  });

  it('drops lines below its level and reads LOG_LEVEL for the default', () => {
    const { log, lines } = captureLogger('warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map((l) => l.level)).toEqual(['warn', 'error']);
    expect(levelFromEnv({ LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(levelFromEnv({ LOG_LEVEL: 'verbose' })).toBe('info');
    expect(levelFromEnv({})).toBe('info');
  });

  it('carries the request id and function name of the invocation it logs in, and none outside one', async () => {
    const { log, lines } = captureLogger();
    log.info('cold start');
    await runInvocation(invocationFrom({ requestId: 'req-1', function: { name: 'push' } }), async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.info('inside');
    });
    expect(lines[0]!.requestId).toBeUndefined();
    expect(lines[1]).toMatchObject({ msg: 'inside', requestId: 'req-1', function: 'push' });
  });

  it('keeps concurrent invocations apart', async () => {
    const { log, lines } = captureLogger();
    const run = (id: string, delay: number) => runInvocation(invocationFrom({ requestId: id }), async () => {
      await new Promise((resolve) => setTimeout(resolve, delay));
      log.info('done', { id });
    });
    await Promise.all([run('slow', 20), run('fast', 1)]);
    expect(lines.map((l) => [l.id, l.requestId])).toEqual([['fast', 'fast'], ['slow', 'slow']]);
  });

  it('adds child fields to every line without letting a field forge the level or message', () => {
    const { log, lines } = captureLogger();
    log.child({ source: 'dingtalk' }).child({ kind: 'user' }).warn('real', { level: 'debug', msg: 'fake', n: 1 });
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'real', source: 'dingtalk', kind: 'user', n: 1 });
  });
});

describe('redaction', () => {
  it('replaces values under sensitive keys at any depth, whatever their case or separators', () => {
    const { log, lines, text } = captureLogger();
    log.info('settings', {
      user: { profile: { Email: 'a@b.example', mobile: '13812345678', userid: 'u1' } },
      credentials: { accessKeyId: 'LTAI', accessKeySecret: 'shh' },
      list: [{ client_secret: 'x1' }, { securityToken: 'x2' }, { DINGTALK_AES_KEY: 'x3' }, { encryptKey: 'x4' }],
      headers: { Authorization: 'Bearer abc' },
      appSecret: 'x5', password: 'x6',
    });
    const line = lines[0]!;
    expect(line.user.profile).toEqual({ Email: '[redacted]', mobile: '[redacted]', userid: 'u1' });
    expect(line.credentials).toBe('[redacted]');
    expect(line.list).toEqual([{ client_secret: '[redacted]' }, { securityToken: '[redacted]' }, { DINGTALK_AES_KEY: '[redacted]' }, { encryptKey: '[redacted]' }]);
    expect(line.headers.Authorization).toBe('[redacted]');
    expect(line.appSecret).toBe('[redacted]');
    for (const secret of ['a@b.example', '13812345678', 'shh', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'Bearer abc']) {
      expect(text[0]).not.toContain(secret);
    }
  });

  it('redacts extra keys given by the caller', () => {
    const { log, lines } = captureLogger('info', ['nonce']);
    log.info('callback', { nonce: 'n-123', timestamp: '1700000000' });
    expect(lines[0]).toMatchObject({ nonce: '[redacted]', timestamp: '1700000000' });
  });

  it('masks email addresses and phone numbers inside any string, including the message', () => {
    const { log, lines, text } = captureLogger();
    log.info('mapped alice.li@corp.example.com to alice', {
      note: 'call +86-13812345678 or 139 1234 5678 or +1 415 555 0100, or 8613612345678',
      nested: [{ free: 'cc bob+ops@corp.cn' }],
    });
    expect(lines[0]!.msg).toBe('mapped [email] to alice');
    expect(lines[0]!.note).toBe('call [phone] or [phone] or [phone], or [phone]');
    expect(lines[0]!.nested[0].free).toBe('cc [email]');
    expect(text[0]).not.toMatch(/13812345678|12345678|corp\.cn/);
  });

  it('leaves ids, epochs, durations and request ids alone', () => {
    expect(maskText('1-64f6cd87-a1b2c3d4 at 1693896071895 in 12345 ms, dept 4820001')).toBe(
      '1-64f6cd87-a1b2c3d4 at 1693896071895 in 12345 ms, dept 4820001',
    );
    expect(sanitize({ durationMs: 13812345678, when: new Date(0), bytes: Buffer.from('abc') })).toEqual({
      durationMs: 13812345678, when: '1970-01-01T00:00:00.000Z', bytes: '[3 bytes]',
    });
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(sanitize(a)).toEqual({ name: 'a', self: '[circular]' });
  });

  it('logs errors as name, message, code and retryable, masked, with the stack only at debug', () => {
    const ram = new RetryableRamError({ code: 'Throttling.User', reason: 'slow down', operation: 'scim.getUser', status: 429 });
    const plain = Object.assign(new Error('no user mary@corp.example'), { code: 'E_NOUSER' });
    const { log, lines } = captureLogger('info');
    log.error('failed', { error: ram, other: plain });
    expect(lines[0]!.error).toMatchObject({
      name: 'RetryableRamError', code: 'Throttling.User', retryable: true, status: 429, message: expect.stringContaining('Throttling.User'),
    });
    expect(lines[0]!.error.stack).toBeUndefined();
    expect(lines[0]!.other).toEqual({ name: 'Error', message: 'no user [email]', code: 'E_NOUSER' });

    const debug = captureLogger('debug');
    debug.log.error('failed', { error: plain });
    expect(debug.lines[0]!.error.stack).toContain('logger.test');
    expect(debug.lines[0]!.error.stack).not.toContain('mary@corp.example');
  });

  it('logs a ConfigError with its variables and a chained cause', () => {
    const error = new Error('wrapped', { cause: new ConfigError([{ variable: 'LARK_APP_ID', problem: 'is required' }]) });
    const { log, lines } = captureLogger();
    log.error('x', { error });
    expect(lines[0]!.error.cause).toMatchObject({ name: 'ConfigError', problems: [{ variable: 'LARK_APP_ID', problem: 'is required' }] });
  });
});
