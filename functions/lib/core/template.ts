/**
 * Name templates: `{email.local}`, `ext-{employeeId}`, `{attr.userPrincipalName}`.
 * Compiled once per rule set, then applied to every person without parsing again.
 */
import type { Identity } from './model';

/** A template the operator wrote cannot be used (unknown field, unbalanced brace, no field at all). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(message: string, readonly template: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

type Getter = (identity: Identity) => string | undefined;

/** The fields a template may name. `attr.NAME` is handled apart because NAME is free. */
const FIELDS: Readonly<Record<string, Getter>> = {
  userName: (p) => p.userName,
  email: (p) => p.email,
  'email.local': (p) => emailLocalPart(p.email),
  employeeId: (p) => p.employeeId,
  sourceId: (p) => p.sourceId,
  displayName: (p) => p.displayName,
};

export const TEMPLATE_FIELDS: readonly string[] = [...Object.keys(FIELDS), 'attr.NAME'];

const ATTR_PREFIX = 'attr.';

/**
 * The local part of an address: text before the last `@` (quoted local parts may hold `@`), with a
 * `+tag` removed (`Alice+ram@corp.example` → `Alice`). A value without `@` is taken as a bare local
 * part, as some HR exports hold only the alias. Undefined when nothing is left.
 */
export function emailLocalPart(email: string | undefined): string | undefined {
  if (email === undefined) return undefined;
  const at = email.lastIndexOf('@');
  let local = at < 0 ? email : email.slice(0, at);
  const plus = local.indexOf('+');
  if (plus >= 0) local = local.slice(0, plus);
  local = local.trim();
  return local === '' ? undefined : local;
}

function getterFor(field: string, template: string): Getter {
  const known = FIELDS[field];
  if (known) return known;
  if (field.startsWith(ATTR_PREFIX) && field.length > ATTR_PREFIX.length) {
    const attribute = field.slice(ATTR_PREFIX.length);
    return (p) => p.attributes?.[attribute];
  }
  throw new TemplateError(
    `unknown field {${field}} in template "${template}"; known: ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(', ')}`,
    template,
  );
}

type Part = string | Getter;

function parse(template: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === '}') throw new TemplateError(`unbalanced "}" at ${i} in template "${template}"`, template);
    if (c !== '{') {
      literal += c;
      i += 1;
      continue;
    }
    const close = template.indexOf('}', i + 1);
    const nested = template.indexOf('{', i + 1);
    if (close < 0 || (nested >= 0 && nested < close)) {
      throw new TemplateError(`unbalanced "{" at ${i} in template "${template}"`, template);
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(getterFor(template.slice(i + 1, close).trim(), template));
    i = close + 1;
  }
  if (literal !== '') parts.push(literal);
  return parts;
}

/**
 * Compile `{email.local}`, `{userName}`, `{email}`, `{employeeId}`, `{sourceId}`, `{displayName}`,
 * `{attr.NAME}` and literal text around fields. The compiled function answers undefined when any
 * field it names is missing or blank, so the caller moves on to the next template.
 * Throws {@link TemplateError} for an unknown field, an unbalanced brace, or a template without any
 * field (it would give everyone the same name).
 *
 * @example
 * compileTemplate('ext-{employeeId}')({ ...person, employeeId: '0042' }) // 'ext-0042'
 */
export function compileTemplate(template: string): (identity: Identity) => string | undefined {
  const parts = parse(template);
  if (!parts.some((part) => typeof part === 'function')) {
    throw new TemplateError(`template "${template}" names no field`, template);
  }
  return (identity) => {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const value = part(identity);
      if (value === undefined || value.trim() === '') return undefined;
      out += value;
    }
    return out;
  };
}

