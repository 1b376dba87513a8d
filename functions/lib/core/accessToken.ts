/**
 * A cached access token: a vendor's (DingTalk and WeCom `gettoken`, Lark `tenant_access_token`,
 * Graph and Okta client credentials) and RAM's OAuth token. Shared by concurrent callers (one
 * fetch for all of them), renewed a little before it expires, and dropped at once when the server
 * says it is no longer valid. It does no I/O itself: the caller hands it the fetch.
 *
 * @example
 * const tokens = new AccessTokenCache(() => issue(), { renewEarly: () => 300 });
 * const token = await tokens.get();   // after a refusal: tokens.invalidate(token)
 */

export interface IssuedToken {
  token: string;
  /** Seconds it is valid for, as the vendor says. */
  expiresIn: number;
}

export interface AccessTokenOptions {
  now?: () => number;
  /** Seconds before expiry to renew, given the lifetime. Default: 5 minutes, or a tenth of short lifetimes. */
  renewEarly?: (expiresIn: number) => number;
}

export class AccessTokenCache {
  private current?: { token: string; renewAt: number };
  private pending?: Promise<string>;
  private readonly now: () => number;
  private readonly renewEarly: (expiresIn: number) => number;

  /** `fetchToken`'s failure reaches every waiting caller and is not cached. */
  constructor(private readonly fetchToken: () => Promise<IssuedToken>, options: AccessTokenOptions = {}) {
    this.now = options.now ?? Date.now;
    this.renewEarly = options.renewEarly ?? ((expiresIn) => Math.min(300, expiresIn / 10));
  }

  async get(): Promise<string> {
    if (this.current && this.now() < this.current.renewAt) return this.current.token;
    this.pending ??= this.renew().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets `token` if it is still the cached one (another caller may have renewed it already). */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async renew(): Promise<string> {
    const issued = await this.fetchToken();
    const lifetime = Math.max(0, issued.expiresIn - this.renewEarly(issued.expiresIn));
    this.current = { token: issued.token, renewAt: this.now() + lifetime * 1000 };
    return issued.token;
  }
}
