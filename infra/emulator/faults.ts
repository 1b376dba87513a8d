/**
 * Fault injection: per request, a seeded PRNG decides whether to fail and how. The same seed and
 * the same request sequence give the same faults, so a failing test can be replayed.
 */
import { FAULT_KINDS, type FaultKind, type FaultOptions } from './types';

export class InvalidFaultOptionsError extends Error {
  override readonly name = 'InvalidFaultOptionsError';
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: Exclude<FaultKind, 'timeout'> }
  /** `apply`: whether the request takes effect before the server goes silent. */
  | { kind: 'timeout'; apply: boolean };

/** mulberry32: small, fast, and good enough to spread faults evenly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function validate(options: FaultOptions): void {
  if (!(options.rate >= 0 && options.rate <= 1)) throw new InvalidFaultOptionsError('faults.rate must be within 0..1');
  if (options.kinds.length === 0) throw new InvalidFaultOptionsError('faults.kinds must name at least one kind');
  const unknown = options.kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new InvalidFaultOptionsError(`unknown fault kinds: ${unknown.join(', ')}`);
  if (options.retryAfterSeconds !== undefined && !(options.retryAfterSeconds >= 0)) {
    throw new InvalidFaultOptionsError('faults.retryAfterSeconds must be >= 0');
  }
}

export class FaultInjector {
  private options: FaultOptions | undefined;
  private random: () => number = Math.random;

  constructor(options?: FaultOptions) {
    this.set(options);
  }

  /** Replaces the fault settings and restarts the PRNG from the seed. */
  set(options: FaultOptions | undefined): void {
    if (options) validate(options);
    this.options = options && { ...options, kinds: [...options.kinds] };
    this.random = mulberry32(options?.seed ?? Date.now());
  }

  get retryAfterSeconds(): number {
    return this.options?.retryAfterSeconds ?? 1;
  }

  /** Decides the fate of one request. OAuth endpoints are spared unless `tokenToo`. */
  decide(surface: 'scim' | 'openapi' | 'oauth'): FaultDecision {
    const o = this.options;
    if (!o || o.rate <= 0) return { kind: 'none' };
    if (surface === 'oauth' && !o.tokenToo) return { kind: 'none' };
    if (this.random() >= o.rate) return { kind: 'none' };
    const kind = o.kinds[Math.floor(this.random() * o.kinds.length)] as FaultKind;
    if (kind === 'timeout') return { kind, apply: this.random() < 0.5 };
    return { kind };
  }
}
