/**
 * A small client for one MNS (Simple Message Queue) queue over its HTTP API (version 2015-06-06):
 * BatchReceiveMessage, ChangeMessageVisibility and DeleteMessage, signed as infra/mns/signature.ts
 * says. An operator tool, in no function bundle. Written here rather than taking `@alicloud/mns`
 * 1.2.0: that package has no types, defaults to plain http, and pulls in xml2js 0.4 (a known
 * prototype-pollution advisory, fixed in 0.5); fast-xml-parser is already ours.
 */
import { XMLParser } from 'fast-xml-parser';
import type { CloudCredentials } from '../../functions/lib/core/ports';
import { scrub } from '../../functions/lib/core/redact';
import { MnsError } from './errors';
import { mnsAuthorization } from './signature';

export const MNS_API_VERSION = '2015-06-06';
/** BatchReceiveMessage returns at most this many messages per call. */
export const MNS_MAX_BATCH = 16;

export interface MnsMessage {
  messageId: string;
  /** Valid until the message is received again or its visibility ends; each receive gives a new one. */
  receiptHandle: string;
  body: string;
  /** Milliseconds since the epoch. */
  enqueueTime: number;
  dequeueCount: number;
}

export interface MnsQueueOptions {
  /** `https://<account>.mns.<region>.aliyuncs.com`, or http:// to a loopback fake. */
  endpoint: string;
  queueName: string;
  credentials: CloudCredentials;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
}

const parser = new XMLParser({
  processEntities: false, htmlEntities: false, ignoreAttributes: true, ignoreDeclaration: true,
  parseTagValue: false, trimValues: false, isArray: (name) => name === 'Message',
});

/**
 * @example
 * const dlq = new MnsQueue({ endpoint: 'https://1234.mns.cn-hangzhou.aliyuncs.com', queueName: 'ram-scim-sync-push-dlq', credentials });
 * for (const m of await dlq.receive(16)) await dlq.delete(m.receiptHandle);
 */
export class MnsQueue {
  constructor(private readonly options: MnsQueueOptions) {}

  /** Up to `count` (1-16) visible messages, hidden for the queue's visibility timeout; [] when none. */
  async receive(count: number): Promise<MnsMessage[]> {
    const n = Math.min(MNS_MAX_BATCH, Math.max(1, Math.trunc(count)));
    const answer = await this.request('GET', `${this.path()}?numOfMessages=${n}&waitseconds=0`, { absentIsEmpty: true });
    const messages = (answer?.Messages as { Message?: unknown[] } | undefined)?.Message ?? [];
    return messages.map((m) => toMessage(m as Record<string, unknown>));
  }

  /** Hides the message for `seconds` (1-43200) from now; answers its new receipt handle. */
  async changeVisibility(receiptHandle: string, seconds: number): Promise<string> {
    const query = `receiptHandle=${encodeURIComponent(receiptHandle)}&visibilityTimeout=${Math.trunc(seconds)}`;
    const answer = await this.request('PUT', `${this.path()}?${query}`);
    const handle = (answer?.ChangeVisibility as { ReceiptHandle?: unknown } | undefined)?.ReceiptHandle;
    if (typeof handle !== 'string' || handle === '') throw new MnsError({ code: 'UnexpectedAnswer', message: 'ChangeMessageVisibility answered no ReceiptHandle' });
    return handle;
  }

  async delete(receiptHandle: string): Promise<void> {
    await this.request('DELETE', `${this.path()}?ReceiptHandle=${encodeURIComponent(receiptHandle)}`);
  }

  private path(): string {
    return `/queues/${encodeURIComponent(this.options.queueName)}/messages`;
  }

  private async request(method: string, resource: string, opts: { absentIsEmpty?: boolean } = {}): Promise<Record<string, unknown> | undefined> {
    const { accessKeyId, accessKeySecret, securityToken } = this.options.credentials;
    const date = new Date().toUTCString();
    const headers: Record<string, string> = {
      date, 'x-mns-version': MNS_API_VERSION,
      // MNS accepts no body on these calls; a Content-Type is still required by its protocol page.
      'content-type': 'text/xml;charset=utf-8',
      ...(securityToken && { 'security-token': securityToken }),
    };
    headers.authorization = mnsAuthorization(accessKeyId!, accessKeySecret!, { method, contentType: headers['content-type'], date, headers, resource });
    const secrets = [accessKeySecret, securityToken];
    let response: Response;
    try {
      response = await fetch(`${this.options.endpoint.replace(/\/+$/, '')}${resource}`, {
        method, headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const message = scrub(error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error), secrets);
      throw new MnsError({ code: 'NetworkError', message: `${method} ${this.options.endpoint}: ${message}`, cause: error });
    }
    const text = await response.text();
    const document = text.trim() === '' ? undefined : safeParse(text);
    if (response.ok) return document;
    const error = document?.Error as { Code?: unknown; Message?: unknown; RequestId?: unknown } | undefined;
    const code = typeof error?.Code === 'string' ? error.Code : `HTTP ${response.status}`;
    if (opts.absentIsEmpty && code === 'MessageNotExist') return undefined;
    const message = typeof error?.Message === 'string' ? error.Message : response.statusText;
    const requestId = typeof error?.RequestId === 'string' ? ` (request ${error.RequestId})` : '';
    throw new MnsError({ code, status: response.status, message: scrub(`${message}${requestId}`, secrets) });
  }
}

function safeParse(text: string): Record<string, unknown> | undefined {
  // MNS never declares entities; a document that does is not MNS (and could expand without bound).
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new MnsError({ code: 'UnexpectedAnswer', message: 'MNS answered XML with a DOCTYPE' });
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new MnsError({ code: 'UnexpectedAnswer', message: `MNS answered something that is not XML (${text.length} bytes)`, cause: error });
  }
}

function toMessage(m: Record<string, unknown>): MnsMessage {
  const text = (key: string): string => (typeof m[key] === 'string' ? unescapeXml(m[key] as string) : '');
  return {
    messageId: text('MessageId'),
    receiptHandle: text('ReceiptHandle'),
    body: text('MessageBody'),
    enqueueTime: Number(text('EnqueueTime')) || 0,
    dequeueCount: Number(text('DequeueCount')) || 0,
  };
}

/** The predefined XML entities and character references; the parser leaves them as written. */
function unescapeXml(text: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (whole, name: string) => {
    const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : name.startsWith('#') ? parseInt(name.slice(1), 10) : undefined;
    if (code === undefined) return named[name] ?? whole;
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
