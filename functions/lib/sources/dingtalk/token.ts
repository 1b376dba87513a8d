/**
 * The app's access token from `GET /gettoken?appkey=&appsecret=` (valid 7,200 s), cached and shared
 * by concurrent calls, renewed a few minutes before it expires and at once when DingTalk says it
 * is invalid.
 */
export interface TokenGrant {
  accessToken: string;
  /** Seconds it is valid for, as DingTalk says. */
  expiresIn: number;
}

/** Renew this long before DingTalk's expiry, so a token never dies mid-call. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export class AccessTokenCache {
  private token?: { value: string; renewAt: number };
  private pending?: Promise<string>;

  constructor(private readonly fetchToken: () => Promise<TokenGrant>, private readonly now: () => number = Date.now) {}

  /** The cached token, or a new one when none is cached or it is due for renewal. */
  async get(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return this.token.value;
    // One request for every caller waiting at the same moment.
    this.pending ??= this.fetchToken()
      .then(({ accessToken, expiresIn }) => {
        const lifetime = Math.max(0, expiresIn * 1000 - REFRESH_MARGIN_MS);
        this.token = { value: accessToken, renewAt: this.now() + lifetime };
        return accessToken;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Forgets `value` (if still cached) after DingTalk called it invalid. */
  invalidate(value: string): void {
    if (this.token?.value === value) this.token = undefined;
  }
}
