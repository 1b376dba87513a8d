/**
 * The app's `tenant_access_token`: fetched with the app id and secret, cached until shortly before
 * it expires (Lark hands out a new one once less than 30 minutes remain), and fetched again at
 * once when Lark says it is no longer valid. Concurrent callers share one fetch.
 */

export interface IssuedToken {
  token: string;
  /** Seconds, from Lark's `expire`. */
  expiresIn: number;
}

export class TenantToken {
  private cached?: { token: string; refreshAt: number };
  private pending?: Promise<string>;

  constructor(private readonly issue: () => Promise<IssuedToken>, private readonly now: () => number = Date.now) {}

  async get(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.token;
    this.pending ??= this.fetch().finally(() => { this.pending = undefined; });
    return this.pending;
  }

  /** Forgets `token` (only if it is still the cached one: another caller may have refreshed already). */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async fetch(): Promise<string> {
    const issued = await this.issue();
    // Refresh 30 minutes early, or halfway for short-lived tokens (tests, fakes).
    const margin = Math.min(1800, issued.expiresIn / 2);
    this.cached = { token: issued.token, refreshAt: this.now() + (issued.expiresIn - margin) * 1000 };
    return issued.token;
  }
}
