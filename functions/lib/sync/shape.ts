/**
 * A few checks for the engine's messages (JSON from a queue or an invocation), written by hand:
 * a schema library costs every cold start more than these messages need. Each check records an
 * issue (path and rule, never the value) and answers undefined, so one pass names every problem.
 *
 * @example
 * const check = new ShapeCheck();
 * const o = check.object(raw, [], ['release']);
 * const ids = o && check.list(o.release, ['release'], (v, at) => check.text(v, at, { nonEmpty: true }));
 * check.throwIfAny();                  // InvalidMessageError listing `release.0: must be text`
 */
import { InvalidMessageError, type MessageIssue } from './errors';

type Path = (string | number)[];

export class ShapeCheck {
  private readonly issues: MessageIssue[] = [];

  fail(path: Path, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  /** A plain object (not an array, not null); with `known`, a key outside it is an issue. */
  object(value: unknown, path: Path, known?: readonly string[]): Record<string, unknown> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return this.fail(path, 'must be an object');
    const unknown = known ? Object.keys(value).filter((key) => !known.includes(key)) : [];
    if (unknown.length > 0) this.fail(path, `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
    return value as Record<string, unknown>;
  }

  text(value: unknown, path: Path, options: { nonEmpty?: boolean } = {}): string | undefined {
    if (typeof value !== 'string') return this.fail(path, 'must be text');
    if (options.nonEmpty && value === '') return this.fail(path, 'must not be empty');
    return value;
  }

  oneOf<T extends string>(value: unknown, path: Path, values: readonly T[]): T | undefined {
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
    return this.fail(path, `must be one of ${values.join(', ')}`);
  }

  /** true or false; the fallback when absent. */
  flag(value: unknown, path: Path, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    this.fail(path, 'must be true or false');
    return fallback;
  }

  /** A list whose every item passes `item`; undefined when the list or any item fails. */
  list<T>(value: unknown, path: Path, item: (v: unknown, at: Path) => T | undefined, options: { nonEmpty?: boolean } = {}): T[] | undefined {
    if (!Array.isArray(value)) return this.fail(path, 'must be a list');
    if (options.nonEmpty && value.length === 0) return this.fail(path, 'must list at least one');
    const before = this.issues.length;
    const items = value.map((v, i) => item(v, [...path, i]));
    return this.issues.length === before ? items as T[] : undefined;
  }

  get ok(): boolean {
    return this.issues.length === 0;
  }

  throwIfAny(): void {
    if (!this.ok) throw new InvalidMessageError(this.issues);
  }
}
