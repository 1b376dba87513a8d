/**
 * Structured logs: one JSON object per line on stdout, which FC ships to SLS as is.
 * Every line carries the current invocation's request id and function name, read from the
 * invocation context at write time, so a logger made at module scope still tags each line right.
 * Values pass through `sanitize` (redact.ts): no secret, email or phone number reaches a line.
 */
import { currentInvocation } from './invocation';
import type { LogFields, LogLevel, Logger } from '../core/ports';
import { DEFAULT_REDACT_KEYS, maskText, sanitize } from '../core/redact';

export type { LogFields, LogLevel, Logger } from '../core/ports';

export interface LoggerOptions {
  /** Lowest level written; default `LOG_LEVEL`, else `info`. At `debug`, errors include their stack. */
  level?: LogLevel;
  /** Key fragments to redact on top of the defaults (see `DEFAULT_REDACT_KEYS`). */
  redactKeys?: string[];
  /** Where a finished line goes (without newline); default stdout. */
  write?: (line: string) => void;
  /** Fields on every line. */
  fields?: LogFields;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const RESERVED = new Set(['time', 'level', 'msg', 'requestId', 'function']);

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(LEVELS, value);
}

/** `LOG_LEVEL` if it names a level (any case), else `info`. */
export function levelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const v = env.LOG_LEVEL?.trim().toLowerCase();
  return isLogLevel(v) ? v : 'info';
}

const stdout = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/**
 * @example
 * const log = createLogger().child({ source: 'dingtalk' });
 * log.info('queued changes', { count: 3 });
 * // {"time":"…","level":"info","msg":"queued changes","requestId":"1-…","function":"dingtalk-webhook","source":"dingtalk","count":3}
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? levelFromEnv();
  const redactKeys = [...DEFAULT_REDACT_KEYS, ...(options.redactKeys ?? [])];
  const write = options.write ?? stdout;
  return build(level, redactKeys, write, options.fields ?? {});
}

function build(level: LogLevel, redactKeys: string[], write: (line: string) => void, bound: LogFields): Logger {
  const threshold = LEVELS[level];
  const emit = (at: LogLevel, msg: string, fields?: LogFields): void => {
    if (LEVELS[at] < threshold) return;
    const invocation = currentInvocation();
    const extra = sanitize({ ...bound, ...fields }, { redactKeys, stack: level === 'debug' }) as LogFields;
    const line: LogFields = {
      time: new Date().toISOString(),
      level: at,
      msg: maskText(String(msg)),
      requestId: invocation?.requestId,
      function: invocation?.functionName,
    };
    // Reserved keys stay ours: a field named `level` or `msg` must not forge a line.
    for (const [k, v] of Object.entries(extra)) if (!RESERVED.has(k)) line[k] = v;
    try {
      write(JSON.stringify(line));
    } catch {
      // A logger must never take the invocation down (e.g. a closed stdout in a test harness).
    }
  };
  return {
    level,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => build(level, redactKeys, write, { ...bound, ...fields }),
  };
}

/** The process-wide logger (level from `LOG_LEVEL` at cold start); tagged per invocation by the handlers. */
export const logger: Logger = createLogger();
