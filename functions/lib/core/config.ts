/**
 * Reading configuration from environment variables. Every parser reads through these, so each rule
 * is written once: blank counts as unset (deploy templates render unset values as ''); a URL is
 * https, or http only to a loopback host (a local fake or emulator: secrets never cross a network
 * in clear), with no credentials, query or fragment (URLs appear in error messages); a problem names
 * the variable and never its value.
 *
 * @example
 * const problems = new ConfigProblems();
 * const read = envReader(env, problems);
 * const appKey = read.required('DINGTALK_APP_KEY', 'is required: the app that reads people');
 * const apiUrl = read.url('DINGTALK_API_URL', 'https://oapi.dingtalk.com');
 * problems.throwIfAny();               // ConfigError naming every bad variable at once
 */
import type { ConfigProblems } from './errors';

/** The environment as parsers take it (`process.env` or a test's object). */
export type Env = Readonly<Record<string, string | undefined>>;

export const URL_RULE = 'must be an https:// URL (http:// only to a loopback host), without credentials, query or fragment';
export const ENDPOINT_RULE = 'must be a host[:port], or an https:// URL (http:// only to a loopback host) without a path';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** A bare host (`ram.aliyuncs.com`) or an IPv4/[IPv6] address, with an optional port. */
const HOST_PORT = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/** Whether `value` passes the URL rule (see the header). */
export function isAllowedUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const scheme = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  return scheme && !url.username && !url.password && !url.search && !url.hash && !value.includes('#') && !value.includes('?');
}

/** A host[:port], or a URL by the URL rule with no path: where an SDK takes an endpoint. */
export function isAllowedEndpoint(value: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return HOST_PORT.test(value.replace(/\/$/, ''));
  return isAllowedUrl(value) && ['', '/'].includes(new URL(value).pathname);
}

export interface IntegerOptions {
  fallback: number;
  min: number;
  /** No upper bound when left out. */
  max?: number;
  /** Named in the message: "a whole number of seconds". */
  unit?: string;
}

/** `from 1 to 100`, or `of at least 1` without an upper bound. */
const range = (min: number, max?: number) => (max === undefined ? `of at least ${min}` : `from ${min} to ${max}`);

/**
 * The readers over one environment; each reports to `problems` and answers a usable value (the
 * fallback, or undefined) so parsing goes on and one cold start names every bad variable.
 */
export function envReader(env: Env, problems: ConfigProblems) {
  const text = (name: string): string | undefined => env[name]?.trim() || undefined;
  const problem = (variable: string, what: string): void => problems.add({ variable, problem: what });
  return {
    /** Trimmed; blank is undefined. */
    text,
    /** As set, untrimmed (a password's spaces are part of it); only '' counts as unset. */
    secret: (name: string): string | undefined => env[name] || undefined,
    /** `problem` is the whole sentence after the name, e.g. `is required when AD_URL is set`. */
    required(name: string, what = 'is required'): string | undefined {
      const value = text(name);
      if (value === undefined) problem(name, what);
      return value;
    },
    /** Undefined when unset; a value not matching `pattern` is reported as `what`. */
    matching(name: string, pattern: RegExp, what: string): string | undefined {
      const value = text(name);
      if (value !== undefined && !pattern.test(value)) problem(name, what);
      return value;
    },
    /** Without trailing slashes; the fallback when unset or refused. */
    url(name: string, fallback: string): string {
      const value = text(name);
      if (value === undefined) return fallback;
      if (!isAllowedUrl(value)) {
        problem(name, URL_RULE);
        return fallback;
      }
      return value.replace(/\/+$/, '');
    },
    endpoint(name: string): string | undefined {
      const value = text(name);
      if (value !== undefined && !isAllowedEndpoint(value)) problem(name, ENDPOINT_RULE);
      return value;
    },
    integer(name: string, options: IntegerOptions): number {
      const value = text(name);
      if (value === undefined) return options.fallback;
      const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
      if (n >= options.min && n <= (options.max ?? Infinity)) return n;
      problem(name, `must be a whole number${options.unit ? ` of ${options.unit}` : ''} ${range(options.min, options.max)}`);
      return options.fallback;
    },
    /** A decimal such as `2.5`, from `min` to `max`. */
    number(name: string, options: { fallback: number; min: number; max: number }): number {
      const value = text(name);
      if (value === undefined) return options.fallback;
      const n = /^\d{1,15}(\.\d{1,15})?$/.test(value) ? Number(value) : NaN;
      if (n >= options.min && n <= options.max) return n;
      problem(name, `must be a number ${range(options.min, options.max)}`);
      return options.fallback;
    },
    /** Comma-separated, each item trimmed, empty items dropped; the fallback when unset. */
    list(name: string, fallback: readonly string[]): string[] {
      const value = text(name);
      if (value === undefined) return [...fallback];
      return value.split(',').map((item) => item.trim()).filter(Boolean);
    },
    /** `true` or `false`. */
    flag(name: string, fallback: boolean): boolean {
      const value = text(name);
      if (value === undefined) return fallback;
      if (value === 'true' || value === 'false') return value === 'true';
      problem(name, 'must be true or false');
      return fallback;
    },
    oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
      const value = text(name) ?? fallback;
      if ((values as readonly string[]).includes(value)) return value as T;
      problem(name, `must be one of ${values.join(', ')}`);
      return fallback;
    },
  };
}

export type EnvReader = ReturnType<typeof envReader>;
