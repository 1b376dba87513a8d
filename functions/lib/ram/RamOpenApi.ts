/**
 * The RAM OpenAPI (2015-05-01) for what SCIM cannot do: groups, memberships, AccessKeys and
 * login profiles. The only file that imports the Alibaba Cloud SDK. Calls that a lost answer
 * could make fail on retry (already a member, already gone) count as done.
 */
import type { CloudCredentials } from '../core/ports';
import type RamClient from '@alicloud/ram20150501';
import type { AccessKeyStatus, RamAccessKey, RamGroup, RamLoginProfile } from '../core/model';
import { RamAuthError, translateSdkError, type RamError } from './errors';
import type { Limiter } from './limiter';
import { withRetry, type RetryPolicy } from './retry';

type RamSdk = typeof import('@alicloud/ram20150501');
type OpenApiSdk = typeof import('@alicloud/openapi-client');
type Ram = RamClient;

/**
 * The SDK is loaded on the first OpenAPI call, not at cold start: it is most of the bundle, and a
 * push that only touches SCIM (the common case) never needs it.
 */
let loaded: { ram: RamSdk; openApi: OpenApiSdk } | undefined;
function sdk(): { ram: RamSdk; openApi: OpenApiSdk } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy
  loaded ??= { ram: require('@alicloud/ram20150501') as RamSdk, openApi: require('@alicloud/openapi-client') as OpenApiSdk };
  return loaded;
}
/** The request model classes, e.g. `new $Ram.ListGroupsRequest(…)`, resolved from the lazily loaded SDK. */
const $Ram = new Proxy({} as RamSdk, { get: (_target, key) => sdk().ram[key as keyof RamSdk] });

/** The same three fields as the FC role's `context.credentials`. */

/** Fixed keys, or a function asked before each call so per-invocation STS credentials are used. */
export type CredentialSource = CloudCredentials | (() => CloudCredentials | Promise<CloudCredentials>);

export interface RamOpenApiOptions {
  /** `ram.aliyuncs.com`, `http://127.0.0.1:9100`, or a bare loopback `127.0.0.1:9100` (then http). */
  endpoint: string;
  credentials: CredentialSource;
  retry: RetryPolicy;
  limiter: Limiter;
  /** Read timeout per request. Default 10 s. */
  timeoutMs?: number;
  pageSize?: number;
}

/** Splits an endpoint setting into the SDK's protocol and host[:port]. */
export function parseOpenApiEndpoint(endpoint: string): { protocol: 'http' | 'https'; endpoint: string } {
  const match = /^(https?):\/\/([^/]+)\/?$/i.exec(endpoint.trim());
  if (match) return { protocol: match[1]!.toLowerCase() as 'http' | 'https', endpoint: match[2]! };
  const host = endpoint.trim().replace(/\/+$/, '');
  // A bare loopback address is the emulator or a test server, which speak plain HTTP.
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i.test(host);
  return { protocol: loopback ? 'http' : 'https', endpoint: host };
}

type Done = (error: RamError, attempt: number) => boolean;

export class RamOpenApi {
  private cached?: { key: string; client: Ram };

  constructor(private readonly options: RamOpenApiOptions) {}

  async *listGroups(): AsyncGenerator<RamGroup> {
    let marker: string | undefined;
    do {
      const page = await this.call('ListGroups', (c) =>
        c.listGroups(new $Ram.ListGroupsRequest({ marker, maxItems: Math.min(this.options.pageSize ?? 100, 100) })));
      for (const g of page?.body?.groups?.group ?? []) {
        if (!g.groupName) continue;
        yield g.comments ? { groupName: g.groupName, comments: g.comments } : { groupName: g.groupName };
      }
      marker = page?.body?.isTruncated ? page.body.marker : undefined;
    } while (marker);
  }

  /** Creates the group; a group that exists already (e.g. created by a lost-answer attempt) is fine. */
  async createGroup(group: RamGroup): Promise<void> {
    await this.call('CreateGroup', (c) =>
      c.createGroup(new $Ram.CreateGroupRequest({ groupName: group.groupName, comments: group.comments })),
    (e) => e.code === 'EntityAlreadyExists.Group');
  }

  async updateGroup(groupName: string, change: { newGroupName?: string; comments?: string }): Promise<void> {
    await this.call('UpdateGroup', (c) =>
      c.updateGroup(new $Ram.UpdateGroupRequest({ groupName, newGroupName: change.newGroupName, newComments: change.comments })),
    // A rename applied before its answer was lost leaves the old name gone on the retry.
    (e, attempt) => attempt > 1 && !!change.newGroupName && e.code === 'EntityNotExist.Group');
  }

  async *listGroupMembers(groupName: string): AsyncGenerator<string> {
    let marker: string | undefined;
    do {
      const page = await this.call('ListUsersForGroup', (c) =>
        c.listUsersForGroup(new $Ram.ListUsersForGroupRequest({ groupName, marker, maxItems: this.options.pageSize ?? 100 })));
      for (const u of page?.body?.users?.user ?? []) if (u.userName) yield u.userName;
      marker = page?.body?.isTruncated ? page.body.marker : undefined;
    } while (marker);
  }

  async listGroupsForUser(userName: string): Promise<string[]> {
    const answer = await this.call('ListGroupsForUser', (c) =>
      c.listGroupsForUser(new $Ram.ListGroupsForUserRequest({ userName })));
    return (answer?.body?.groups?.group ?? []).flatMap((g) => (g.groupName ? [g.groupName] : []));
  }

  async addUserToGroup(groupName: string, userName: string): Promise<void> {
    await this.call('AddUserToGroup', (c) => c.addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName, userName })),
      (e) => e.code === 'EntityAlreadyExists.User.Group');
  }

  async removeUserFromGroup(groupName: string, userName: string): Promise<void> {
    await this.call('RemoveUserFromGroup', (c) => c.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ groupName, userName })),
      (e) => e.code === 'EntityNotExist.User.Group');
  }

  async listAccessKeys(userName: string): Promise<RamAccessKey[]> {
    const answer = await this.call('ListAccessKeys', (c) => c.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName })));
    return (answer?.body?.accessKeys?.accessKey ?? []).flatMap((k) =>
      k.accessKeyId ? [{ accessKeyId: k.accessKeyId, status: k.status === 'Inactive' ? 'Inactive' as const : 'Active' as const }] : []);
  }

  /** Always with UserName: without it RAM acts on the caller's own keys. */
  async setAccessKeyStatus(userName: string, accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    await this.call('UpdateAccessKey', (c) =>
      c.updateAccessKey(new $Ram.UpdateAccessKeyRequest({ userName, userAccessKeyId: accessKeyId, status })));
  }

  async getLoginProfile(userName: string): Promise<RamLoginProfile | undefined> {
    const answer = await this.call('GetLoginProfile', (c) => c.getLoginProfile(new $Ram.GetLoginProfileRequest({ userName })),
      (e) => e.code === 'EntityNotExist.User.LoginProfile');
    const profile = answer?.body?.loginProfile;
    if (!profile) return undefined;
    return { passwordResetRequired: profile.passwordResetRequired ?? false, mfaBindRequired: profile.MFABindRequired ?? false };
  }

  async createLoginProfile(userName: string, profile: RamLoginProfile & { password: string }): Promise<void> {
    await this.call('CreateLoginProfile', (c) => c.createLoginProfile(new $Ram.CreateLoginProfileRequest({
      userName, password: profile.password,
      passwordResetRequired: profile.passwordResetRequired, MFABindRequired: profile.mfaBindRequired,
    })),
    // Only a retry may find its own earlier attempt's profile; a first-attempt conflict is reported.
    (e, attempt) => attempt > 1 && e.code === 'EntityAlreadyExists.User.LoginProfile');
  }

  async deleteLoginProfile(userName: string): Promise<void> {
    await this.call('DeleteLoginProfile', (c) => c.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest({ userName })),
      (e) => e.code === 'EntityNotExist.User.LoginProfile');
  }

  /**
   * One action with retries under the limiter; errors translated once. When `done` accepts an
   * error the action counts as achieved and the answer is undefined.
   */
  private call<T>(action: string, fn: (client: Ram) => Promise<T>, done?: Done): Promise<T | undefined> {
    return withRetry<T | undefined>(this.options.retry, async (attempt) => {
      const client = await this.client();
      try {
        return await this.options.limiter.run(() => fn(client));
      } catch (thrown) {
        const error = translateSdkError(thrown, action);
        if (done?.(error, attempt)) return undefined;
        throw error;
      }
    });
  }

  private async client(): Promise<Ram> {
    const source = this.options.credentials;
    let credentials: CloudCredentials;
    try {
      credentials = typeof source === 'function' ? await source() : source;
    } catch (cause) {
      throw missingCredentials(cause);
    }
    if (!credentials?.accessKeyId || !credentials.accessKeySecret) throw missingCredentials();
    const key = `${credentials.accessKeyId}\n${credentials.accessKeySecret}\n${credentials.securityToken ?? ''}`;
    if (this.cached?.key === key) return this.cached.client;
    const { protocol, endpoint } = parseOpenApiEndpoint(this.options.endpoint);
    const timeout = this.options.timeoutMs ?? 10_000;
    const { ram, openApi } = sdk();
    const config = new openApi.Config({
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken: credentials.securityToken,
      endpoint,
      protocol,
      readTimeout: timeout,
      connectTimeout: Math.min(timeout, 5_000),
    });
    // openapi-client's Config has the shape openapi-core's client reads (verified at runtime).
    const client = new ram.default(config as unknown as ConstructorParameters<RamSdk['default']>[0]);
    this.cached = { key, client };
    return client;
  }
}

function missingCredentials(cause?: unknown): RamAuthError {
  return new RamAuthError({
    code: 'MissingCredentials', operation: 'RamOpenApi', reason: 'no RAM OpenAPI credentials', cause,
    recommendedAction: 'set ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, or give the function a role',
  });
}
