/**
 * An HTTP server that behaves like Alibaba Cloud RAM: the OAuth token service, the SCIM Users API
 * and the RAM OpenAPI, on one port. The default target of the local stack and of the tests.
 *
 * @example
 * const emu = await startRamEmulator({ faults: { rate: 0.3, kinds: ['reset-after'], seed: 1 } });
 * // RAM_SCIM_URL=emu.scimUrl, RAM_OAUTH_TOKEN_URL=emu.tokenUrl, RAM_OPENAPI_ENDPOINT=emu.url …
 * await emu.close();
 *
 * // The local stack: the account survives restarts.
 * const kept = await startRamEmulator({ port: 9100, stateFile: '.state/emulator.json' });
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountRate } from './accountRate';
import { FaultInjector, type FaultDecision } from './faults';
import { BodyTooLargeError, json, readRequest, writeReply, type EmulatorReply, type EmulatorRequest } from './http';
import { OAuthServer } from './oauth';
import { openApiRoute, ramErrorReply, throttlingReply } from './openapi';
import { scimError, scimRoute } from './scim';
import { NonceCache } from './signature';
import { loadStateFile, StateFileWriter } from './stateFile';
import { EmulatorState } from './store';
import {
  DEFAULT_ACCESS_KEYS,
  DEFAULT_CLIENTS,
  type EmulatorCounters,
  type EmulatorOptions,
  type RunningEmulator,
} from './types';

export type { EmulatorOptions, FaultOptions, FaultKind, RunningEmulator, EmulatorCounters } from './types';
export { EmulatorState, RAM_QUOTAS } from './store';
export { EmulatorStateFileError } from './stateFile';
export { InvalidEmulatorStateError } from './stateJson';
export type { EmulatorStateJson } from './stateJson';

type Surface = 'scim' | 'openapi' | 'oauth';

/** On every answer, so local tools can tell this emulator from real RAM (or anything else) on a port. */
export const EMULATOR_HEADER = { name: 'x-ram-emulator', value: '1' } as const;

interface Route {
  surface: Surface;
  /** Counter key; undefined for OAuth, which is not counted. */
  action?: string;
  write: boolean;
  run(req: EmulatorRequest): EmulatorReply;
}

function createCounters(): EmulatorCounters {
  const counters: EmulatorCounters = {
    reads: 0,
    writes: 0,
    byAction: {},
    faults: {},
    throttled: 0,
    reset() {
      counters.reads = 0;
      counters.writes = 0;
      counters.byAction = {};
      counters.faults = {};
      counters.throttled = 0;
    },
  };
  return counters;
}

/** The answer a fault gives instead of the real one, per surface. */
function faultReply(surface: Surface, kind: '429' | '500' | 'throttle', retryAfterSeconds: number): EmulatorReply {
  if (kind === '500') {
    if (surface === 'openapi') return ramErrorReply(500, 'InternalError', 'The request processing has failed due to some unknown error.');
    if (surface === 'scim') return scimError(500, 'internal server error');
    return json(500, { error: 'server_error', error_description: 'internal server error' });
  }
  if (surface === 'openapi') return throttlingReply(kind === 'throttle' ? 400 : 429, retryAfterSeconds * 1000);
  // HTTP Retry-After is whole seconds.
  const retryAfter = { 'retry-after': String(Math.ceil(retryAfterSeconds)) };
  if (surface === 'scim') return scimError(429, 'too many requests', undefined, retryAfter);
  return json(429, { error: 'temporarily_unavailable', error_description: 'too many requests' }, retryAfter);
}

/** RAM's flow-control answer when the account's rate is spent. */
function rateLimitedReply(surface: 'scim' | 'openapi', retryAfterMs: number): EmulatorReply {
  if (surface === 'openapi') return throttlingReply(400, retryAfterMs);
  return scimError(429, 'too many requests', undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
}

export async function startRamEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const state = (options.stateFile ? await loadStateFile(options.stateFile) : undefined) ?? new EmulatorState();
  const writer = options.stateFile ? new StateFileWriter(options.stateFile, state) : undefined;
  if (writer) state.onChange(() => writer.schedule());
  const faults = new FaultInjector(options.faults);
  let accountRate = options.rateLimit && new AccountRate(options.rateLimit);
  const oauth = new OAuthServer(options.clients ?? DEFAULT_CLIENTS, options.accessTokenTtlSeconds ?? 3600);
  const secrets = new Map((options.accessKeys ?? DEFAULT_ACCESS_KEYS).map((k) => [k.accessKeyId, k.accessKeySecret]));
  const nonces = new NonceCache();
  const counters = createCounters();
  const held = new Set<ServerResponse>();
  let baseUrl = '';
  let closing: Promise<void> | undefined;

  const route = (req: EmulatorRequest): Route | undefined => {
    if (req.rawPath === '/v1/token') return { surface: 'oauth', write: false, run: (r) => oauth.token(r) };
    if (req.rawPath === '/oauth2/v1/auth') return { surface: 'oauth', write: false, run: (r) => oauth.authorize(r) };
    const api = openApiRoute(req);
    if (api) return { surface: 'openapi', action: api.action, write: api.write, run: (r) => api.run(r, { state, secrets, nonces }) };
    const scim = scimRoute(req);
    if (scim) return { surface: 'scim', action: scim.action, write: scim.write, run: (r) => scim.run(r, { state, oauth, baseUrl }) };
    return undefined;
  };

  const apply = (r: Route, req: EmulatorRequest): EmulatorReply => {
    if (r.action !== undefined) {
      if (r.write) counters.writes++;
      else counters.reads++;
      counters.byAction[r.action] = (counters.byAction[r.action] ?? 0) + 1;
    }
    return r.run(req);
  };

  const handle = async (rawReq: IncomingMessage, res: ServerResponse): Promise<void> => {
    let req: EmulatorRequest;
    try {
      req = await readRequest(rawReq);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return writeReply(res, json(413, { error: 'request body too large' }));
      throw err;
    }
    const r = route(req);
    if (!r) return writeReply(res, scimError(404, `no resource at ${req.rawPath}`));
    if (accountRate && r.surface !== 'oauth') {
      const admitted = accountRate.admit();
      if (admitted !== true) {
        counters.throttled++;
        return writeReply(res, rateLimitedReply(r.surface, admitted));
      }
    }
    const fault: FaultDecision = faults.decide(r.surface);
    if (fault.kind !== 'none') counters.faults[fault.kind] = (counters.faults[fault.kind] ?? 0) + 1;
    switch (fault.kind) {
      case 'none':
        return writeReply(res, apply(r, req));
      case '429':
      case '500':
      case 'throttle':
        return writeReply(res, faultReply(r.surface, fault.kind, faults.retryAfterSeconds));
      case 'reset-before':
        rawReq.socket.destroy();
        return;
      case 'reset-after':
        apply(r, req); // the write lands; the client never hears about it
        rawReq.socket.destroy();
        return;
      case 'timeout':
        if (fault.apply) apply(r, req);
        held.add(res); // never answered; close() destroys it unless the client gives up first
        res.once('close', () => held.delete(res));
        return;
    }
  };

  const server = createServer((req, res) => {
    res.setHeader(EMULATOR_HEADER.name, EMULATOR_HEADER.value);
    handle(req, res).catch((err: unknown) => {
      // An emulator bug, not a RAM answer: say so plainly and keep serving.
      process.stderr.write(`ram-emulator: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) writeReply(res, json(500, { error: 'emulator internal error' }));
      else res.destroy();
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}`;

  return {
    url: baseUrl,
    scimUrl: baseUrl,
    tokenUrl: `${baseUrl}/v1/token`,
    authorizeUrl: `${baseUrl}/oauth2/v1/auth`,
    openApiEndpoint: `${urlHost}:${port}`,
    state,
    counters,
    setFaults: (f) => faults.set(f),
    setRateLimit: (limit) => { accountRate = limit && new AccountRate(limit); },
    close: () => {
      closing ??= (async () => {
        for (const res of held) res.socket?.destroy();
        held.clear();
        server.closeAllConnections();
        await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
        // Changes after close (test seeding) stay in memory: the file holds what the server served.
        state.onChange(undefined);
        await writer?.flush();
      })();
      return closing;
    },
  };
}
