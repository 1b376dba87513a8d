import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildFcHttpEvent, decodeFcHttpResult } from '../../../functions/lib/fc/httpEvent';
import type { FcContext } from '../../../functions/lib/fc/types';

type Handler = (event: Buffer, context: FcContext) => Promise<unknown>;

/**
 * A loopback stand-in for FC's HTTP trigger: each request becomes the FC 3.0 HTTP event, handed
 * to the handler as a JSON Buffer with a fresh request id, and the result becomes the answer.
 * `headersDistinct` because FC joins repeated headers with a bare comma, where Node adds a space.
 */
export async function serveFc(handler: Handler): Promise<{ url: string; requestIds: string[]; close: () => Promise<void> }> {
  const requestIds: string[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const requestId = `1-test-${++n}`;
      requestIds.push(requestId);
      const event = buildFcHttpEvent({
        method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headersDistinct, body: Buffer.concat(chunks),
        sourceIp: req.socket.remoteAddress, requestId,
      });
      const context: FcContext = { requestId, region: 'cn-hangzhou', credentials: {}, function: { name: 'test-fn' } };
      handler(Buffer.from(JSON.stringify(event)), context).then((result) => {
        const answer = decodeFcHttpResult(result);
        res.writeHead(answer.status, answer.headers).end(answer.body);
      }, (error: unknown) => {
        // FC answers an unhandled handler error with 502; the handlers under test should never get here.
        res.writeHead(502).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requestIds,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
