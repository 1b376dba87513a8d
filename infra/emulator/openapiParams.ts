/**
 * RPC parameters of one OpenAPI request (query string plus any form body) with RAM's validation
 * errors: `Missing<Name>` for an absent mandatory parameter, `InvalidParameter.<Name>.*` otherwise.
 */
import { RamEntityError } from './errors';

const NAME = /^[A-Za-z0-9._-]+$/;

export class RpcParams {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  optional(name: string): string | undefined {
    return this.values.get(name);
  }

  required(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) throw new RamEntityError(`Missing${name}`, 400, `${name} is mandatory for this action.`);
    return value;
  }

  bool(name: string): boolean | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') throw invalid(name, 'must be true or false');
    return value === 'true';
  }

  /** A RAM entity name: 1–64 of letters, digits, `.`, `_`, `-`. */
  entityName(name: string, optional: true): string | undefined;
  entityName(name: string): string;
  entityName(name: string, optional = false): string | undefined {
    const value = optional ? this.optional(name) : this.required(name);
    if (value === undefined) return undefined;
    if (value.length < 1 || value.length > 64) {
      throw new RamEntityError(`InvalidParameter.${name}.Length`, 400, `The parameter ${name} must be 1-64 characters.`);
    }
    if (!NAME.test(value)) {
      throw new RamEntityError(`InvalidParameter.${name}.InvalidChars`, 400, `The parameter ${name} has invalid characters.`);
    }
    return value;
  }

  /** Free text such as Comments: at most 128 characters. */
  text(name: string): string | undefined {
    const value = this.optional(name);
    if (value !== undefined && value.length > 128) {
      throw new RamEntityError(`InvalidParameter.${name}.Length`, 400, `The parameter ${name} must be at most 128 characters.`);
    }
    return value;
  }

  /** `Marker`/`MaxItems` paging over a list; `Marker` is returned only when truncated. */
  page<T>(items: readonly T[], maxAllowed: number): { items: T[]; IsTruncated: boolean; Marker?: string } {
    const rawMax = this.optional('MaxItems');
    const max = rawMax === undefined ? 100 : Number(rawMax);
    if (!Number.isInteger(max) || max < 1 || max > maxAllowed) throw invalid('MaxItems', `must be 1-${maxAllowed}`);
    const offset = decodeMarker(this.optional('Marker'));
    const slice = items.slice(offset, offset + max);
    const next = offset + slice.length;
    return next < items.length
      ? { items: slice, IsTruncated: true, Marker: encodeMarker(next) }
      : { items: slice, IsTruncated: false };
  }
}

function invalid(name: string, why: string): RamEntityError {
  return new RamEntityError(`InvalidParameter.${name}`, 400, `The parameter ${name} ${why}.`);
}

function encodeMarker(offset: number): string {
  return Buffer.from(`emu:${offset}`).toString('base64url');
}

function decodeMarker(marker: string | undefined): number {
  if (marker === undefined || marker === '') return 0;
  const match = /^emu:(\d+)$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
  if (!match?.[1]) throw invalid('Marker', 'is not a marker this service returned');
  return Number(match[1]);
}
