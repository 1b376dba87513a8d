/**
 * Shared by the emulator tests: raw-fetch access to OAuth and SCIM, and the real RAM SDK client
 * pointed at the emulator.
 */
import Ram from '@alicloud/ram20150501';
import * as $OpenApi from '@alicloud/openapi-client';
import type { RunningEmulator } from '../../../infra/emulator/RamEmulator';

export const SERVER_APP = { id: 'emulator-client', secret: 'emulator-secret' };
export const NATIVE_APP = { id: 'emulator-native', secret: 'emulator-native-secret' };
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON, loosely typed: the tests assert its shape. */
  body: any;
}

async function toReply(res: Response): Promise<Reply> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** A client-credentials token for the default server app. */
export async function scimToken(emu: RunningEmulator): Promise<string> {
  const res = await fetch(`${emu.tokenUrl}?grant_type=client_credentials&client_id=${SERVER_APP.id}`, {
    method: 'POST',
    headers: { authorization: basic(SERVER_APP.id, SERVER_APP.secret) },
  });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

export async function scim(
  emu: RunningEmulator,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  init: RequestInit = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return toReply(
    await fetch(`${emu.scimUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...init,
    }),
  );
}

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  return toReply(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    }),
  );
}

export const scimUser = (userName: string, displayName: string, externalId?: string): Record<string, unknown> => ({
  schemas: [USER_SCHEMA],
  userName,
  displayName,
  ...(externalId !== undefined ? { externalId } : {}),
});

export interface SdkOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  signatureAlgorithm?: 'v2';
  readTimeout?: number;
}

/** The real `@alicloud/ram20150501` client with an `@alicloud/openapi-client` Config. */
export function ramClient(emu: RunningEmulator, opts: SdkOptions = {}): Ram {
  return new Ram(
    new $OpenApi.Config({
      accessKeyId: opts.accessKeyId ?? 'emulator-ak',
      accessKeySecret: opts.accessKeySecret ?? 'emulator-ak-secret',
      endpoint: emu.openApiEndpoint,
      protocol: 'http',
      ...(opts.securityToken ? { securityToken: opts.securityToken } : {}),
      ...(opts.signatureAlgorithm ? { signatureAlgorithm: opts.signatureAlgorithm } : {}),
      ...(opts.readTimeout ? { readTimeout: opts.readTimeout } : {}),
    }),
  );
}

/** Runs a call expected to fail and returns the SDK error for assertions. */
export async function sdkError(call: Promise<unknown>): Promise<any> {
  try {
    await call;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
