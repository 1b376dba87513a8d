import * as z from 'zod';
import { EventDecodeError } from '../../../functions/lib/fc/errors';
import { decodeEvent, parseEvent, parseTimerEvent } from '../../../functions/lib/fc/event';

describe('decodeEvent', () => {
  it('parses the JSON in the Buffer FC passes', () => {
    expect(decodeEvent(Buffer.from('{"v":1,"changes":[{"sourceId":"张三"}]}'))).toEqual({ v: 1, changes: [{ sourceId: '张三' }] });
    expect(decodeEvent(new Uint8Array(Buffer.from('[1,2]')))).toEqual([1, 2]);
    expect(decodeEvent('{"a":true}')).toEqual({ a: true });
  });

  it('passes objects from local callers through untouched', () => {
    const event = { triggerName: 't', triggerTime: '2024-01-01T00:00:00Z' };
    expect(decodeEvent(event)).toBe(event);
    expect(decodeEvent(undefined)).toBeUndefined();
  });

  it('reads an empty payload as undefined', () => {
    expect(decodeEvent(Buffer.alloc(0))).toBeUndefined();
    expect(decodeEvent(' \n')).toBeUndefined();
  });

  it('rejects bytes that are not JSON with a final error that quotes none of them', () => {
    const bytes = Buffer.from('{"password":"hunter2"');
    let thrown: unknown;
    try {
      decodeEvent(bytes);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EventDecodeError);
    expect(thrown).toMatchObject({ retryable: false, code: 'InvalidEvent' });
    expect((thrown as Error).message).toBe(`the event is not JSON (${bytes.length} bytes)`);
    expect((thrown as Error).cause).toBeInstanceOf(SyntaxError);
  });
});

describe('parseEvent', () => {
  const Message = z.object({ v: z.literal(1), changes: z.array(z.object({ kind: z.enum(['user', 'group']) })) });

  it('returns what the parser returns', () => {
    expect(parseEvent({ v: 1, changes: [{ kind: 'user' }] }, Message.parse)).toEqual({ v: 1, changes: [{ kind: 'user' }] });
  });

  it("lists the parser's issue paths in a final EventDecodeError", () => {
    let thrown: unknown;
    try {
      parseEvent({ v: 2, changes: [{ kind: 'mobile-13812345678' }] }, Message.parse);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EventDecodeError);
    const issues = (thrown as EventDecodeError).issues;
    expect(issues.map((i) => i.split(':')[0])).toEqual(['v', 'changes.0.kind']);
    expect((thrown as Error).message).not.toContain('13812345678');
  });
});

describe('parseTimerEvent', () => {
  it('accepts the timer event FC sends', () => {
    expect(parseTimerEvent(decodeEvent(Buffer.from('{"triggerTime":"2023-12-26T07:49:00Z","triggerName":"every-5-min","payload":"{\\"job\\":\\"poll\\"}"}'))))
      .toEqual({ triggerTime: '2023-12-26T07:49:00Z', triggerName: 'every-5-min', payload: '{"job":"poll"}' });
    expect(parseTimerEvent({ triggerTime: '2023-12-26T07:49:00Z', triggerName: 't' })).toEqual({ triggerTime: '2023-12-26T07:49:00Z', triggerName: 't' });
  });

  it('rejects anything else, naming the fields', () => {
    expect(() => parseTimerEvent({ triggerName: '', payload: 3 })).toThrow(/triggerTime.*triggerName.*payload/);
    expect(() => parseTimerEvent(undefined)).toThrow(EventDecodeError);
  });
});
