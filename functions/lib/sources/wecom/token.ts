/**
 * The access token for one secret (`gettoken`), cached until shortly before it expires and shared
 * by concurrent callers, so a full sync fetches it once rather than once per call.
 */

export interface IssuedToken {
  token: string;
  /** Seconds, as WeCom says (7200). */
  expiresIn: number;
}

export class AccessTokenCache {
  private current?: { token: string; refreshAt: number };
  private pending?: Promise<string>;

  /**
   * @param fetchToken calls `gettoken`; its failure reaches every waiting caller and is not cached
   * @param now injectable clock (ms)
   */
  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.current && this.now() < this.current.refreshAt) return this.current.token;
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * Forgets `token` after WeCom called it invalid or expired (40014/42001). A token already
   * replaced by a concurrent caller is left alone, so one refusal costs one `gettoken`.
   */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async refresh(): Promise<string> {
    const issued = await this.fetchToken();
    // Refresh a little early (5 min, or a tenth of short lifetimes) so a call never carries a
    // token that expires in flight.
    const margin = Math.min(300, issued.expiresIn / 10);
    this.current = { token: issued.token, refreshAt: this.now() + Math.max(0, issued.expiresIn - margin) * 1000 };
    return issued.token;
  }
}
