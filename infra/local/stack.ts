/**
 * The local stack: the same function bundles FC runs, on a laptop. One HTTP server serves the
 * webhook functions and FC's invoke API; the timer functions (ad-poll, full-sync's reconcile) run on
 * their schedules; asynchronous invocations of `push` land in a durable SQLite queue that is drained
 * into the `push` bundle; the RAM emulator stands in for RAM unless real credentials are configured.
 * Against real RAM the stack writes nothing unless started with `apply`: without it, only read-only
 * invocations of `full-sync` (a dry run, the held or failed list) run, and no queue drain or timer starts.
 * `GET /` is the status page (stackStatus.ts, statusPage.ts): HTML to a browser, JSON to anyone else.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { FinalError } from '../../functions/lib/core/errors';
import type { ChangeBatch } from '../../functions/lib/core/model';
import { buildFcHttpEvent, decodeFcHttpResult } from '../../functions/lib/fc/httpEvent';
import type { FcContext, FcHttpResult } from '../../functions/lib/fc/types';
import { SqliteQueue } from '../../functions/lib/queue/SqliteQueue';
import type { FullSyncResult } from '../../functions/lib/sync/entrances';
import { parseFullSyncInvocation } from '../../functions/lib/sync/messages';
import { SOURCE_SWITCHES, configuredSources } from '../../functions/lib/wiring/sources';
import { FUNCTION_SWITCHES } from '../deploy/functionSwitches';
import { buildFunctions } from '../build';
import { emulatorEnv, emulatorRateLimit } from '../emulator/env';
import { readRequest, writeReply } from '../emulator/http';
import { type RunningEmulator, startRamEmulator } from '../emulator/RamEmulator';
import { createFcGateway } from './fcGateway';
import type { TimerSchedule } from './schedule';
import { TIMER_SCHEDULES, startTimers, timerEvent, timerSchedules } from './timers';
import { SAMPLE_DIRECTORY, findRunningEmulator, localStateDir } from './runtime';
import { captureStdout } from './stdoutCapture';
import { StatusRecorder, answerStatus } from './stackStatus';

/** Webhook routes and the function serving each. */
export const WEBHOOK_ROUTES = { '/dingtalk': 'dingtalk-webhook', '/lark': 'lark-webhook', '/wecom': 'wecom-webhook', '/okta': 'okta-webhook', '/entra': 'entra-webhook' } as const;

type Handler = (event: Buffer, context: FcContext) => Promise<unknown>;

export interface LocalStackOptions {
  env?: NodeJS.ProcessEnv;
  /** HTTP port for webhooks and FC's invoke API (default PORT or 9000; 0 = any). */
  port?: number;
  /** Where the emulator listens when the stack starts one (default EMULATOR_PORT or 9100; 0 = any). */
  emulatorPort?: number;
  /** Where the bundles are built (default dist/). */
  outdir?: string;
  /** Queue polling, for tests. */
  pollMs?: number;
  /** Timer functions and their schedules (default TIMER_SCHEDULES and the reconcile from env); only built functions run. */
  timers?: Record<string, TimerSchedule>;
  /** Told about each timer run. */
  onTimer?: (name: string, outcome: { error?: unknown }) => void;
  /**
   * Against real RAM (RAM_OAUTH_CLIENT_ID set), allow writing to it (`npm start -- --apply`); default
   * false: a dry run only. With the emulator the stack always applies.
   */
  apply?: boolean;
  /**
   * Where the functions' log lines go while the stack runs (everything written to stdout); default
   * stdout, as FC ships them. The cold-start lines of a function that is merely off go here too.
   * Only lines captured here reach the status page's recent provisioning lines.
   */
  functionLog?: (line: string) => void;
}

/** A webhook or timer function that stopped at cold start on its configuration. */
export interface ColdStartProblem {
  message: string;
  /** The variable that turns its source on. */
  switch?: string;
  /** Its source is not configured at all: simply off (and `npm run deploy` leaves it out), not misconfigured. */
  off: boolean;
}

export interface LocalStack {
  url: string;
  stateDir: string;
  directoryFile: string;
  emulator?: RunningEmulator;
  ramUrl: string;
  queue: SqliteQueue;
  functions: string[];
  /** Timer functions running on their schedules. */
  timers: string[];
  /** Their schedules, by function. */
  schedules: Record<string, TimerSchedule>;
  /** Built webhook and timer functions that stopped at cold start on their configuration, with why. */
  unconfigured: Map<string, ColdStartProblem>;
  /** Real RAM without `apply`: nothing may write to it (full syncs are dry runs, no drain, no timers). */
  dryRun: boolean;
  /** What the functions sign with here (the emulator's key, or ALIBABA_CLOUD_* standing in for the FC role). */
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  /** Runs the full-sync bundle, as `s invoke -f full-sync` would. */
  fullSync(request: { dryRun: boolean; allowDeletes?: number | boolean }): Promise<FullSyncResult>;
  /** Runs a timer function now, with the event its trigger sends (as if its schedule had come round). */
  tick(name: string): Promise<unknown>;
  /** Resolves when the queue has nothing ready, leased or delayed. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const stateDir = localStateDir(env);
  const directoryFile = path.resolve(env.DIRECTORY_FILE || SAMPLE_DIRECTORY);
  // Read before anything starts: a bad FULL_SYNC_SCHEDULE stops the stack at once, naming it.
  const timers = options.timers ?? timerSchedules(env);

  const ram = await connectRam(env, stateDir, options.emulatorPort ?? Number(env.EMULATOR_PORT || 9100));
  const dryRun = !ram.emulated && !options.apply;
  const built = await buildFunctions({ outdir: options.outdir });
  const queue = new SqliteQueue({ path: path.join(stateDir, 'queue.sqlite') });

  const startedAt = new Date();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? Number(env.PORT || 9000), '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // The functions read their configuration at cold start, as in FC: set it before loading them.
  const saved = { ...process.env };
  Object.assign(process.env, env, {
    ...ram.functionEnv, STATE_DIR: stateDir, DIRECTORY_FILE: directoryFile,
    QUEUE_KIND: 'fc3', FC_INVOKE_ENDPOINT: url, PUSH_FUNCTION_NAME: 'push',
  });
  const recorder = new StatusRecorder();
  const functionLog = options.functionLog && ((line: string) => { recorder.logLine(line); options.functionLog!(line); });
  const releaseStdout = functionLog && captureStdout(functionLog);
  let loaded: ReturnType<typeof loadFunctions>;
  try {
    loaded = loadFunctions(built, functionLog);
  } catch (error) {
    releaseStdout?.();
    throw error;
  }
  const { handlers, unconfigured } = loaded;
  const context = (name: string): FcContext => ({
    requestId: `local-${randomUUID()}`, region: 'local', accountId: 'local', credentials: ram.credentials,
    function: { name, handler: 'index.handler' },
  });
  const invoke = async (name: string, payload: Buffer) => {
    if (dryRun && !readOnly(name, payload)) throw dryRunRefusal(name);
    return handlers.get(name)!(payload, context(name));
  };

  const gateway = createFcGateway({
    secrets: new Map([[ram.credentials.accessKeyId, ram.credentials.accessKeySecret]]),
    enqueue: (_name, batch: ChangeBatch, taskId?: string) => queue.enqueue(batch, taskId),
    invoke,
    functionNames: () => [...handlers.keys()],
  });
  server.on('request', (req, res) => {
    void (async () => {
      const request = await readRequest(req);
      const fc = await gateway(request);
      if (fc) return writeReply(res, fc);
      const route = WEBHOOK_ROUTES[request.rawPath as keyof typeof WEBHOOK_ROUTES];
      if (route && handlers.has(route)) {
        const event = buildFcHttpEvent({
          method: request.method, url: req.url ?? '/', headers: req.headersDistinct, body: request.body, sourceIp: req.socket.remoteAddress,
        });
        const answer = decodeFcHttpResult((await invoke(route, Buffer.from(JSON.stringify(event)))) as FcHttpResult);
        res.writeHead(answer.status, answer.headers);
        return res.end(answer.body);
      }
      if (request.rawPath === '/' && request.method === 'GET') {
        return await answerStatus(req, res, {
          ram: ram.url, dryRun, stateDir, queue, functions: [...handlers.keys()], unconfigured, schedules, startedAt, recorder,
          known: [...Object.values(WEBHOOK_ROUTES), ...Object.keys(TIMER_SCHEDULES)], declared: timers,
        });
      }
      if (route && unconfigured.has(route)) return writeReply(res, { status: 503, body: `${route} is not configured: ${unconfigured.get(route)!.message}` });
      writeReply(res, { status: 404, body: route ? `${route} is not built yet: its source has not landed` : 'not found' });
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`local stack error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  // Every timer function may write to RAM (the reconcile applies, a poll publishes to push): none in a dry run.
  const schedules = dryRun ? {} : Object.fromEntries(Object.entries(timers).filter(([name]) => handlers.has(name)));
  // The page keeps the last full sync from the reconcile timer as from the stack's own full syncs.
  const timerInvoke = async (name: string, event: Buffer) => {
    const result = await invoke(name, event);
    if (name === 'full-sync') recorder.fullSync(result, 'timer');
    return result;
  };
  const stopTimers = startTimers(schedules, timerInvoke, (name, outcome) => {
    recorder.timerRun(name, outcome.error);
    options.onTimer?.(name, outcome);
  });
  const tick = (name: string) => {
    const schedule = schedules[name];
    if (!schedule) throw new Error(`${name} is not a running timer function (running: ${Object.keys(schedules).join(', ') || 'none'})`);
    return timerInvoke(name, timerEvent(schedule));
  };

  const stopDrain = new AbortController();
  // In a dry run what arrives stays queued: `--apply` drains it later (push reads the state then, not the event).
  const draining = dryRun ? Promise.resolve() : queue.consume((batch) => invoke('push', Buffer.from(JSON.stringify(batch))).then(() => undefined), {
    signal: stopDrain.signal, pollMs: options.pollMs ?? 200,
  });

  return {
    url, stateDir, directoryFile, emulator: ram.emulator, ramUrl: ram.url, queue, functions: [...handlers.keys()],
    credentials: ram.credentials, timers: Object.keys(schedules), schedules, unconfigured, dryRun,
    tick,
    fullSync: async (request) => {
      const result = await invoke('full-sync', Buffer.from(JSON.stringify(request))) as FullSyncResult;
      recorder.fullSync(result, 'stack');
      return result;
    },
    idle: (timeoutMs = 30_000) => waitUntil(() => {
      const s = queue.stats();
      return s.ready + s.leased + s.delayed === 0;
    }, timeoutMs),
    async stop() {
      stopTimers();
      stopDrain.abort();
      await draining;
      await closeServer(server);
      queue.close();
      await ram.emulator?.close();
      releaseStdout?.();
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    },
  };
}

interface RamConnection {
  url: string;
  /** The emulator (ours or one already running), not real RAM. */
  emulated: boolean;
  emulator?: RunningEmulator;
  /** RAM variables for the functions (no AccessKey: that travels in the context, as in FC). */
  functionEnv: Record<string, string>;
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
}

/** Real RAM when RAM_OAUTH_CLIENT_ID is set; else an emulator already running, or one we start. */
async function connectRam(env: NodeJS.ProcessEnv, stateDir: string, emulatorPort: number): Promise<RamConnection> {
  if (env.RAM_OAUTH_CLIENT_ID) {
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret } = env;
    if (!accessKeyId || !accessKeySecret) {
      throw new Error('ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are required with real RAM locally (they stand in for the FC role)');
    }
    return {
      url: env.RAM_SCIM_URL || 'https://scim.aliyun.com', emulated: false, functionEnv: {},
      credentials: { accessKeyId, accessKeySecret, securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN || undefined },
    };
  }
  // RAM's account-wide rate, as `npm run emulator` takes it (an emulator already running keeps its own).
  const rateLimit = emulatorRateLimit(env);
  const running = emulatorPort ? await findRunningEmulator({ ...env, EMULATOR_PORT: String(emulatorPort) }) : undefined;
  const emulator = running ? undefined : await startRamEmulator({
    port: emulatorPort, stateFile: path.join(stateDir, 'emulator.json'), ...(rateLimit ? { rateLimit } : {}),
  });
  const url = running ?? emulator!.url;
  const { ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret, ...functionEnv } = emulatorEnv(url);
  return { url, emulated: true, emulator, functionEnv, credentials: { accessKeyId: accessKeyId!, accessKeySecret: accessKeySecret! } };
}

/**
 * Loads each bundle (its cold start). A webhook or timer that is not configured stops at cold start,
 * as in FC, and the rest run; its cold-start lines are kept back when it is merely off.
 */
function loadFunctions(
  built: { name: string; file: string }[], functionLog: ((line: string) => void) | undefined,
): { handlers: Map<string, Handler>; unconfigured: Map<string, ColdStartProblem> } {
  const handlers = new Map<string, Handler>();
  const unconfigured = new Map<string, ColdStartProblem>();
  for (const f of built) {
    const coldStartLines: string[] = [];
    const release = captureStdout((line) => coldStartLines.push(line));
    let problem: ColdStartProblem | undefined;
    try {
      handlers.set(f.name, require(f.file).handler as Handler);
    } catch (error) {
      const optional = (Object.values(WEBHOOK_ROUTES) as string[]).includes(f.name) || f.name in TIMER_SCHEDULES;
      if (optional && (error as Error).name === 'ConfigError') {
        problem = coldStartProblem(f.name, error as Error);
        unconfigured.set(f.name, problem);
      } else {
        release();
        coldStartLines.forEach((line) => process.stdout.write(`${line}\n`));
        throw error;
      }
    }
    release();
    // A function that is merely off is one info line from the caller, not its cold-start error lines.
    if (problem?.off) coldStartLines.forEach((line) => functionLog?.(line));
    else coldStartLines.forEach((line) => process.stdout.write(`${line}\n`));
  }
  return { handlers, unconfigured };
}

/** What a dry run may invoke: full-sync's dry runs and its lists, nothing that applies or publishes. */
function readOnly(name: string, payload: Buffer): boolean {
  if (name !== 'full-sync') return false;
  try {
    const invocation = parseFullSyncInvocation(JSON.parse(payload.toString('utf8')));
    switch (invocation.kind) {
      case 'held': case 'failed': return true;
      case 'sync': return invocation.request.dryRun;
      case 'migrate-ids': return invocation.dryRun;
      default: return false;
    }
  } catch {
    return false; // what cannot be read cannot be shown to write nothing
  }
}

function dryRunRefusal(name: string): FinalError {
  return new FinalError({
    code: 'LocalDryRun',
    reason: `${name} was not run: the local stack is connected to real RAM (RAM_OAUTH_CLIENT_ID is set) and was started without --apply`,
    recommendedAction: 'review the dry run, then start it with: npm start -- --apply',
  });
}

/**
 * `dingtalk-webhook` (`entra-webhook`, …) is off when the dingtalk (entra, …) source is; a half-configured source is on, with an
 * error. A webhook optional within its source (FUNCTION_SWITCHES) is off while its own variable is unset.
 */
function coldStartProblem(name: string, error: Error): ColdStartProblem {
  const source = name.split('-')[0]!;
  if (!Object.hasOwn(SOURCE_SWITCHES, source)) return { message: error.message, off: false };
  const on = configuredSources(process.env).some((s) => s.name === source);
  // An optional webhook of a source that is on (entra-webhook) is off until its own variable is set.
  const own = FUNCTION_SWITCHES[name];
  if (on && own && !process.env[own]) return { message: error.message, switch: own, off: true };
  return { message: error.message, switch: SOURCE_SWITCHES[source as keyof typeof SOURCE_SWITCHES], off: !on };
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not idle after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
