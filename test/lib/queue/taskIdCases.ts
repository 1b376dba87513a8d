/**
 * What both FC adapters must do with a dedupe key, against the FC invoke fake: one async task id
 * per batch in `header`, FC's 409 for a seen id counted as accepted. Registers its own `it`s.
 */
import type { Change } from '../../../functions/lib/core/model';
import type { ChangeQueue } from '../../../functions/lib/core/ports';
import { QueuePublishError } from '../../../functions/lib/queue/errors';
import type { PublishOptions } from '../../../functions/lib/queue/publish';
import type { FcInvokeServer } from '../../support/fcInvokeServer';

type QueueFor = (options: PublishOptions & { batch?: { maxBytes: number } }) => ChangeQueue;

/** Changes whose hints make one batch each under 4 KiB batches. */
const bulky = (n: number): Change[] => Array.from({ length: n }, (_, i) => ({
  source: 'wecom', kind: 'user', sourceId: `u${i}`, reason: 'update_user', hint: { note: 'n'.repeat(2500) },
}));
const small = { batch: { maxBytes: 4 * 1024 } };

export function itSendsTaskIds(header: string, fc: () => FcInvokeServer, queue: QueueFor): void {
  it(`sends a dedupe key as async task ids (${header}): a repeat is refused 409 by FC and resolves as accepted`, async () => {
    const key = 'dingtalk\nsignature\n1700000000000\nnonce';
    expect(await queue(small).publish(bulky(3), { dedupeKey: key })).toHaveLength(3);
    expect(await queue(small).publish(bulky(3), { dedupeKey: key })).toHaveLength(3);
    expect(fc().invocations).toHaveLength(3);
    expect(fc().invocations.map((i) => i.headers[header])).toEqual(fc().invocations.map((i) => i.taskId));
    expect(new Set(fc().invocations.map((i) => i.taskId)).size).toBe(3);
    expect(fc().rejected).toEqual(['AsyncTaskAlreadyExists', 'AsyncTaskAlreadyExists', 'AsyncTaskAlreadyExists']);
  });

  it('sends the batch a failed publish left behind again, and counts the one that arrived', async () => {
    const key = 'wecom\nsignature\n1700000000\nnonce';
    fc().failNext(1, 503);
    const failed = await queue({ ...small, attempts: 1, concurrency: 1 }).publish(bulky(2), { dedupeKey: key }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(QueuePublishError);
    expect(fc().invocations).toHaveLength(1);
    await queue(small).publish(bulky(2), { dedupeKey: key });
    expect(fc().invocations).toHaveLength(2);
    expect(new Set(fc().invocations.map((i) => i.taskId)).size).toBe(2);
  });

  it('sends no task id without a dedupe key', async () => {
    await queue({}).publish(bulky(1));
    await queue({}).publish(bulky(1));
    expect(fc().invocations.map((i) => i.taskId)).toEqual([undefined, undefined]);
  });
}
