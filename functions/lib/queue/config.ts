/**
 * Which change queue to use, from environment variables, parsed once at cold start.
 *
 * | variable            | default               | meaning                                                      |
 * |---------------------|-----------------------|--------------------------------------------------------------|
 * | `QUEUE_KIND`        | `fc3`                 | `fc3` (FC 3.0 async invoke), `fc2` (FC 2.0), `sqlite` (local) |
 * | `PUSH_FUNCTION_NAME`| `push`                | the function that consumes the queue                         |
 * | `PUSH_QUALIFIER`    | none (FC's LATEST)    | its version or alias                                          |
 * | `PUSH_SERVICE_NAME` | required for `fc2`    | the FC 2.0 service holding it                                 |
 * | `FC_INVOKE_ENDPOINT`| from the context      | override: `http://127.0.0.1:PORT`, or a host                  |
 * | `QUEUE_SQLITE_PATH` | `.state/queue.sqlite` | the local queue's file (`sqlite` only)                        |
 */
import { type Env, envReader, isLoopbackHost } from '../core/config';
import { ConfigProblems } from '../core/errors';

export const QUEUE_KINDS = ['fc3', 'fc2', 'sqlite'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

export const DEFAULT_QUEUE_SQLITE_PATH = '.state/queue.sqlite';

export interface Fc3QueueConfig {
  kind: 'fc3';
  functionName: string;
  qualifier?: string;
  /** Absent: `<accountId>.<region>.fc.aliyuncs.com` from the function's context. */
  endpoint?: string;
}

export interface Fc2QueueConfig {
  kind: 'fc2';
  serviceName: string;
  functionName: string;
  qualifier?: string;
  /** A full URL; absent: `https://<accountId>.<region>.fc.aliyuncs.com`. */
  endpoint?: string;
}

export interface SqliteQueueConfig {
  kind: 'sqlite';
  path: string;
}

export type FcQueueConfig = Fc3QueueConfig | Fc2QueueConfig;
export type QueueConfig = FcQueueConfig | SqliteQueueConfig;

// FC function and service names: a letter or underscore first, then letters, digits, '_' or '-'.
const FC_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
// A version number, LATEST, or an alias name.
const QUALIFIER = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$/;

/**
 * @example
 * parseQueueConfig({ QUEUE_KIND: 'fc2', PUSH_SERVICE_NAME: 'ram-sync' })
 * // → { kind: 'fc2', serviceName: 'ram-sync', functionName: 'push' }
 */
export function parseQueueConfig(env: Env): QueueConfig {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  // A refused kind reads on as fc3, so the same start-up error names the other bad variables too.
  const kind = read.oneOf('QUEUE_KIND', QUEUE_KINDS, 'fc3');
  if (kind === 'sqlite') return { kind, path: read.text('QUEUE_SQLITE_PATH') ?? DEFAULT_QUEUE_SQLITE_PATH };

  const functionName = read.matching('PUSH_FUNCTION_NAME', FC_NAME, 'must be an FC function name (letters, digits, _ and -, 1-128)') ?? 'push';
  const qualifier = read.matching('PUSH_QUALIFIER', QUALIFIER, 'must be a version number, LATEST or an alias name');
  const endpoint = read.endpoint('FC_INVOKE_ENDPOINT');
  const serviceName = kind === 'fc2'
    ? read.required('PUSH_SERVICE_NAME', 'is required when QUEUE_KIND is fc2') &&
      read.matching('PUSH_SERVICE_NAME', FC_NAME, 'must be an FC service name (letters, digits, _ and -, 1-128)')
    : undefined;
  problems.throwIfAny();

  const optional = { ...(qualifier && { qualifier }), ...(endpoint && { endpoint }) };
  return kind === 'fc2'
    ? { kind, serviceName: serviceName!, functionName, ...optional, ...(endpoint && { endpoint: asUrl(endpoint) }) }
    : { kind, functionName, ...optional };
}

/** fc2 wants a full URL; a bare host:port means https except on loopback. */
function asUrl(endpoint: string): string {
  if (/^https?:\/\//i.test(endpoint)) return endpoint.replace(/\/+$/, '');
  const loopback = isLoopbackHost(endpoint.replace(/:\d+$/, ''));
  return `${loopback ? 'http' : 'https'}://${endpoint}`;
}

/** The local queue's file, for the CLI and the local stack whatever QUEUE_KIND says. */
export function queueSqlitePath(env: Env): string {
  return env.QUEUE_SQLITE_PATH?.trim() || DEFAULT_QUEUE_SQLITE_PATH;
}
