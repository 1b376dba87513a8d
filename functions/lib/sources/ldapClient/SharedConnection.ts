/**
 * One bound LDAP connection shared by a source's calls (AD, OpenLDAP). A push reads every changed
 * person and their groups at once: a connection each would mean a TCP, TLS and bind handshake per
 * read (`npm run bench`: 10 people over StartTLS on loopback, 155 ms so against 21 ms sharing one)
 * and a burst of connections at the server. Opened on first use, closed after a short idle spell or
 * by `close()` at the end of an invocation (FC may freeze the instance for longer than a server's
 * idle limit, AD's 900 s or slapd's `idletimeout`). A read that finds the connection dead is tried
 * once more on a fresh one.
 */
import type { Client } from 'ldapts';

export class SharedConnection {
  /** The connection being opened or open; `current` once it is. */
  private opening?: Promise<Client>;
  private current?: Client;
  private inUse = 0;
  private idleTimer?: NodeJS.Timeout;
  private readonly idleMs: number;

  /** `open` connects and binds; `idleMs` (default 1 s) is how long an unused connection stays open. */
  constructor(private readonly open: () => Promise<Client>, idleMs = 1_000) {
    this.idleMs = idleMs;
  }

  /** Runs an idempotent read; if the connection turns out dead, once more on a new one. */
  async read<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.acquire();
      try {
        return await fn(client);
      } catch (error) {
        if (attempt > 1 || client.isConnected) throw error;
        this.forget(client);
      } finally {
        this.release();
      }
    }
  }

  /** For a listing, which cannot be repeated half-way: the caller holds the client until `release()`. */
  async acquire(): Promise<Client> {
    this.inUse++;
    clearTimeout(this.idleTimer);
    try {
      const client = await this.connect();
      if (client.isConnected) return client;
      this.forget(client);
      return await this.connect();
    } catch (error) {
      this.inUse--;
      throw error;
    }
  }

  release(): void {
    if (--this.inUse > 0) return;
    this.idleTimer = setTimeout(() => void this.close(), this.idleMs);
    this.idleTimer.unref();
  }

  /** Unbinds now; the next call opens a new connection. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const opening = this.opening;
    this.opening = undefined;
    this.current = undefined;
    const client = await opening?.catch(() => undefined);
    await client?.unbind().catch(() => undefined);
  }

  private connect(): Promise<Client> {
    if (!this.opening) {
      const opening = this.open();
      this.opening = opening;
      opening.then((client) => {
        if (this.opening === opening) this.current = client;
      }, () => {
        // A failed open is not kept: the next call tries again.
        if (this.opening === opening) this.opening = undefined;
      });
    }
    return this.opening;
  }

  /** Drops a dead connection, unless a concurrent caller already replaced it. */
  private forget(client: Client): void {
    if (this.current === client) {
      this.opening = undefined;
      this.current = undefined;
    }
    void client.unbind().catch(() => undefined);
  }
}
