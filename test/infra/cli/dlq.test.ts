/**
 * `npm run queue -- dlq` and `replay --dlq` as a separate process, against a signature-checking MNS
 * fake holding what FC writes to push's onFailure queue, and the FC invoke fake as push.
 */
import type { ChangeBatch } from '../../../functions/lib/core/model';
import { runCli } from '../../support/cliProcess';
import { startFcInvokeServer, type FcInvokeServer } from '../../support/fcInvokeServer';
import { startMnsServer, type MnsServer } from '../../support/mnsServer';
import { mnsAuthorization } from '../../../infra/mns/signature';

const KEY_ID = 'operator-akid';
const SECRET = 'operator-secret-Zq9';

const batch = (id: string, ...sourceIds: string[]): ChangeBatch => ({
  v: 1, id, emittedAt: '2026-12-06T01:00:00.000Z',
  changes: sourceIds.map((sourceId) => ({ source: 'lark', kind: 'user', sourceId, reason: 'contact.user.updated_v3', hint: { email: 'hidden.person@example.com' } })),
});

/** The record FC writes to an MNS onFailure destination (fcFailureRecord.ts names the source). */
const failureRecord = (b: ChangeBatch) => JSON.stringify({
  timestamp: Date.parse('2026-12-06T01:02:03.000Z'),
  requestContext: { requestId: '1-6752f0a1-abc', functionArn: 'acs:fc:cn-hangzhou:1234567890:functions/ram-scim-sync-push', condition: 'UnhandledInvocationError', approximateInvokeCount: 4 },
  requestPayload: JSON.stringify(b),
  responseContext: { statusCode: 200, functionError: 'UnhandledInvocationError' },
  responsePayload: JSON.stringify({ errorType: 'RetryableRamError', errorMessage: 'scim.createUser Throttling (HTTP 429) for hidden.person@example.com' }),
});

describe('npm run queue -- dlq / replay --dlq', () => {
  let mns: MnsServer;
  let fc: FcInvokeServer;

  const queueCli = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const env = {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '',
      PUSH_DLQ_URL: mns.queueUrl, FC_INVOKE_ENDPOINT: fc.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET, ...extraEnv,
    };
    return runCli('infra/cli/queue.ts', args, env);
  };
  const published = () => fc.invocations.map((i) => JSON.parse(i.body.toString('utf8')) as ChangeBatch);

  beforeEach(async () => {
    mns = await startMnsServer({ accessKeyId: KEY_ID, accessKeySecret: SECRET });
    fc = await startFcInvokeServer({ accessKeyId: KEY_ID, accessKeySecret: SECRET });
  });
  afterEach(async () => {
    await mns.close();
    await fc.close();
  });

  it('lists each dead letter: batch, changes, when, attempts and FC\'s error, never a hint; and leaves them visible', async () => {
    mns.send(failureRecord(batch('b-1', 'ou_1', 'ou_2')));
    mns.send(failureRecord(batch('b-2', 'ou_3')));
    const broken = mns.send('{"timestamp": 1, "requestPayload": "not json"');
    const { code, out } = await queueCli(['dlq']);
    expect(code).toBe(0);
    expect(out).toMatch(/BATCH\s+CHANGES\s+FAILED AT\s+ATTEMPTS\s+ERROR/);
    expect(out).toMatch(/b-1\s+2\s+2026-12-06T01:02:03.000Z\s+4\s+UnhandledInvocationError: RetryableRamError: scim.createUser Throttling/);
    expect(out).toMatch(/b-2\s+1\s+/);
    expect(out).toContain(`unreadable ${broken}`);
    expect(out).toContain('3 dead letter(s) in ram-scim-sync-push-dlq');
    expect(out).not.toContain('hidden.person@example.com');
    expect(out).not.toContain(SECRET);
    // Listed, not consumed: all three stay, visible again within MNS's one-second minimum.
    expect(mns.messages).toHaveLength(3);
    expect(Math.max(...mns.messages.map((m) => m.visibleAt))).toBeLessThanOrEqual(Date.now() + 1000);
    expect(fc.invocations).toHaveLength(0);
  }, 60_000);

  it('replays each batch to push once and deletes it only after FC accepted it; an unreadable one is reported and left', async () => {
    mns.send(failureRecord(batch('b-1', 'ou_1', 'ou_2')));
    mns.send(failureRecord(batch('b-2', 'ou_3')));
    const broken = mns.send('garbage that is not FC\'s record');
    const { code, out } = await queueCli(['replay', '--dlq', '--all']);
    expect(code).toBe(1);
    expect(out).toMatch(/replayed b-1 \(2 change\(s\)\) as \S+/);
    expect(out).toMatch(/replayed b-2 \(1 change\(s\)\) as \S+/);
    expect(out).toContain(`left ${broken}: unreadable`);
    expect(out).not.toContain('hidden.person@example.com');

    expect(published().map((b) => b.changes.map((c) => c.sourceId)).sort()).toEqual([['ou_1', 'ou_2'], ['ou_3']]);
    expect(fc.invocations.every((i) => i.functionName === 'ram-scim-sync-push' && i.taskId !== undefined)).toBe(true);
    expect(mns.messages.map((m) => m.id)).toEqual([broken]);

    // Nothing left to replay: push is not invoked again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await queueCli(['replay', '--dlq', 'b-1']);
    expect(again.out).toContain('not in the dead-letter queue: b-1');
    expect(fc.invocations).toHaveLength(2);
  }, 60_000);

  it('leaves the message when the publish fails', async () => {
    mns.send(failureRecord(batch('b-1', 'ou_1')));
    fc.failNext(10, 503);
    const { code, out } = await queueCli(['replay', '--dlq', '--all']);
    expect(code).toBe(1);
    expect(out).toMatch(/left b-1: publishing to push failed: .*503/);
    expect(fc.invocations).toHaveLength(0);
    expect(mns.messages).toHaveLength(1);
    expect(mns.messages[0]!.visibleAt).toBeLessThanOrEqual(Date.now() + 1000);
  }, 60_000);

  it('a replay interrupted between publish and delete, run again, does not publish twice', async () => {
    mns.send(failureRecord(batch('b-1', 'ou_1')));
    mns.failDeletes(1);
    const first = await queueCli(['replay', '--dlq', 'b-1']);
    expect(first.code).toBe(2);
    expect(first.out).toContain('InternalError');
    expect(fc.invocations).toHaveLength(1);
    expect(mns.messages).toHaveLength(1);

    // The lease taken for the replay keeps it hidden; MNS would show it again when that ends.
    mns.messages[0]!.visibleAt = 0;
    const second = await queueCli(['replay', '--dlq', 'b-1']);
    expect(second.code).toBe(0);
    expect(second.out).toContain('replayed b-1');
    expect(fc.invocations).toHaveLength(1); // FC refused the same task id (409): counted as done
    expect(fc.rejected).toEqual(['AsyncTaskAlreadyExists']);
    expect(mns.messages).toHaveLength(0);
  }, 60_000);

  it('replays only the batches named', async () => {
    mns.send(failureRecord(batch('b-1', 'ou_1')));
    mns.send(failureRecord(batch('b-2', 'ou_2')));
    const { code, out } = await queueCli(['replay', '--dlq', 'b-2']);
    expect(code).toBe(0);
    expect(out.trim()).toMatch(/^replayed b-2 \(1 change\(s\)\) as \S+$/);
    expect(published().map((b) => b.changes[0]!.sourceId)).toEqual(['ou_2']);
    expect(mns.messages).toHaveLength(1);
  }, 60_000);

  it('a wrong secret is refused by the fake as SignatureDoesNotMatch, said with what to do and without the secret', async () => {
    mns.send(failureRecord(batch('b-1', 'ou_1')));
    const { code, out } = await queueCli(['replay', '--dlq', '--all'], { ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' });
    expect(code).toBe(2);
    expect(out).toContain('SignatureDoesNotMatch');
    expect(out).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
    expect(out).not.toContain('not-the-secret');
    expect(mns.rejected).toEqual(['SignatureDoesNotMatch']);
    expect(fc.invocations).toHaveLength(0);
    expect(mns.messages).toHaveLength(1);
  }, 60_000);

  it('names the missing variables', async () => {
    const { code, out } = await queueCli(['dlq'], { PUSH_DLQ_URL: '', ALIBABA_CLOUD_ACCESS_KEY_ID: '' });
    expect(code).toBe(2);
    expect(out).toContain('PUSH_DLQ_ARN is required');
    expect(out).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID is required');
    expect(out).not.toContain(SECRET);
  }, 60_000);
});

describe('the MNS fake', () => {
  it('refuses a forged signature and a stale date, and accepts a correctly signed request', async () => {
    const mns = await startMnsServer({ accessKeyId: KEY_ID, accessKeySecret: SECRET });
    try {
      mns.send('hello');
      const resource = '/queues/ram-scim-sync-push-dlq/messages?numOfMessages=16&waitseconds=0';
      const get = (date: string, secret: string) => {
        const headers = { date, 'x-mns-version': '2015-06-06' };
        const authorization = mnsAuthorization(KEY_ID, secret, { method: 'GET', date, headers, resource });
        return fetch(`${mns.url}${resource}`, { headers: { ...headers, authorization } });
      };
      const forged = await get(new Date().toUTCString(), 'guessed');
      expect(forged.status).toBe(403);
      expect(await forged.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
      expect((await get('Thu, 09 Jul 2015 03:01:34 GMT', SECRET)).status).toBe(400);
      expect(mns.rejected).toEqual(['SignatureDoesNotMatch', 'TimeExpired']);
      expect(mns.messages[0]!.dequeueCount).toBe(0);
      const ok = await get(new Date().toUTCString(), SECRET);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('<MessageBody>hello</MessageBody>');
    } finally {
      await mns.close();
    }
  });
});
