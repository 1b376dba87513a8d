/**
 * Reads RAM policy documents the way RAM evaluates an Allow: an action and a resource match a
 * statement when each matches one of its patterns, `*` standing for any run of characters.
 * Enough to check, offline, that each function role's policy covers what s.yaml deploys and no more.
 *
 * @example
 * policyAllows(doc, 'fc:InvokeFunction', 'acs:fc:cn-hangzhou:123:functions/ram-scim-sync-push'); // true
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, unknown>;
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/** The engine's role (push, full-sync, ad-poll): RAM OpenAPI, invoke push, dead letters, logs. */
export const FUNCTION_ROLE_POLICY_PATH = path.join(__dirname, 'function-role-policy.json');
/** The webhooks' and dingtalk-poll's role: invoke push, logs. */
export const WEBHOOK_ROLE_POLICY_PATH = path.join(__dirname, 'webhook-role-policy.json');
/** Both roles: assumable by Function Compute only. */
export const FUNCTION_ROLE_TRUST_PATH = path.join(__dirname, 'function-role-trust.json');

export function readPolicy(file: string): PolicyDocument {
  return JSON.parse(readFileSync(file, 'utf8')) as PolicyDocument;
}

const asList = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

/** Every action the document allows, as written (patterns included), sorted and unique. */
export function allowedActions(doc: PolicyDocument): string[] {
  const actions = doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action));
  return [...new Set(actions)].sort();
}

/** RAM matches actions case-insensitively and resources case-sensitively. */
function matches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/** True when an Allow statement without conditions covers the call and no Deny does. */
export function policyAllows(doc: PolicyDocument, action: string, resource: string): boolean {
  const hit = (s: PolicyStatement) =>
    asList(s.Action).some((a) => matches(a, action, true)) && asList(s.Resource).some((r) => matches(r, resource, false));
  if (doc.Statement.some((s) => s.Effect === 'Deny' && hit(s))) return false;
  return doc.Statement.some((s) => s.Effect === 'Allow' && !s.Condition && hit(s));
}
