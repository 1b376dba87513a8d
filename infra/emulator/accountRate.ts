/**
 * RAM's flow control as one budget for the whole account: a token bucket of `requestsPerSecond`
 * across the SCIM and OpenAPI surfaces (OAuth is another service and is not counted), holding one
 * second's worth. A request that finds the bucket empty is refused before its handler runs, the way
 * RAM answers `Throttling.User`, and is not counted as a read or a write.
 */

export interface AccountRateOptions {
  /** Requests per second for the whole account (> 0). */
  requestsPerSecond: number;
  /** Clock in ms; default `performance.now`. Tests freeze it. */
  now?: () => number;
}

export class InvalidRateLimitError extends Error {
  override readonly name = 'InvalidRateLimitError';
}

export class AccountRate {
  private readonly rate: number;
  private readonly capacity: number;
  private readonly now: () => number;
  private tokens: number;
  private at: number;

  constructor(options: AccountRateOptions) {
    if (!(options.requestsPerSecond > 0) || !Number.isFinite(options.requestsPerSecond)) {
      throw new InvalidRateLimitError('rateLimit.requestsPerSecond must be a number above 0');
    }
    this.rate = options.requestsPerSecond;
    this.capacity = Math.max(1, this.rate);
    this.now = options.now ?? (() => performance.now());
    this.tokens = this.capacity;
    this.at = this.now();
  }

  /** Admits one request (true), or answers how long until one would be admitted (ms, > 0). */
  admit(): true | number {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.at) / 1000) * this.rate);
    this.at = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000));
  }
}
