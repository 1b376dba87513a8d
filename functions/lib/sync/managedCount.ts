/**
 * How many RAM users we manage, as the last full sync counted them. A push plans a handful of
 * people, so the safeguard's percentage needs this base; without it only the count limit applies.
 */
import type { StateStore } from '../core/ports';

const KEY = 'sync/managed-count';

export class ManagedCount {
  constructor(private readonly state: StateStore) {}

  async get(): Promise<number | undefined> {
    return (await this.state.get<{ count: number }>(KEY))?.count;
  }

  put(count: number): Promise<void> {
    return this.state.put(KEY, { count, countedAt: new Date().toISOString() });
  }
}
