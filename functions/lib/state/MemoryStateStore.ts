/**
 * StateStore in memory, for the local stack and tests. Values are kept as JSON text, so a caller
 * that mutates an object after `put` (or after `get`) does not change what is stored, and a value
 * the file store would refuse is refused here too.
 */
import type { StateStore } from '../core/ports';
import { toJson } from './json';
import { assertValidKey } from './keys';

export class MemoryStateStore implements StateStore {
  private readonly records = new Map<string, string>();

  async get<T>(key: string): Promise<T | undefined> {
    assertValidKey(key);
    const text = this.records.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async put<T>(key: string, value: T): Promise<void> {
    this.records.set(key, toJson(key, value));
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    this.records.delete(key);
  }

  /** Atomic by construction: one process, and `change` runs without an await in between. */
  async update<T>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    assertValidKey(key);
    const text = this.records.get(key);
    const current = text === undefined ? undefined : (JSON.parse(text) as T);
    const next = change(current);
    if (next === undefined) return current;
    const stored = toJson(key, next);
    this.records.set(key, stored);
    return JSON.parse(stored) as T;
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.records.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
}
