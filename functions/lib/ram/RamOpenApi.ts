/**
 * The RAM OpenAPI (2015-05-01) for what SCIM cannot do: groups, memberships, AccessKeys and
 * login profiles. Each action is one signed RPC request (parameters in the query, signature V3)
 * made through our OpenAPI call; `@alicloud/ram20150501` and its runtime were a third of the
 * bundle. Calls that a lost answer could make fail on retry (already a member, already gone)
 * count as done.
 */
import type { AccessKeyStatus, RamAccessKey, RamGroup, RamLoginProfile } from '../core/model';
import type { CloudCredentials } from '../core/ports';
import { callOpenApi, parseEndpoint } from '../openapi';
import { RamAuthError, translateSdkError, type RamError } from './errors';
import type { Limiter } from './limiter';
import { withRetry, type RetryPolicy } from './retry';

const VERSION = '2015-05-01';

/** RAM's JSON answers, as far as we read them. A one-element list may arrive as the element. */
type OneOrMany<T> = T | T[] | undefined;
interface Page { IsTruncated?: boolean; Marker?: string }
interface GroupsBody extends Page { Groups?: { Group?: OneOrMany<{ GroupName?: string; Comments?: string }> } }
interface UsersBody extends Page { Users?: { User?: OneOrMany<{ UserName?: string }> } }
interface AccessKeysBody { AccessKeys?: { AccessKey?: OneOrMany<{ AccessKeyId?: string; Status?: string }> } }
interface LoginProfileBody { LoginProfile?: { PasswordResetRequired?: boolean; MFABindRequired?: boolean } }

const list = <T>(items: OneOrMany<T>): T[] => (items === undefined ? [] : Array.isArray(items) ? items : [items]);

type Params = Record<string, string | number | boolean | undefined>;

/** Fixed keys, or a function asked before each call so per-invocation STS credentials are used. */
export type CredentialSource = CloudCredentials | (() => CloudCredentials | Promise<CloudCredentials>);

export interface RamOpenApiOptions {
  /** `ram.aliyuncs.com`, `http://127.0.0.1:9100`, or a bare loopback `127.0.0.1:9100` (then http). */
  endpoint: string;
  credentials: CredentialSource;
  retry: RetryPolicy;
  limiter: Limiter;
  /** Per request, from connecting to the answer. Default 10 s. */
  timeoutMs?: number;
  pageSize?: number;
}

/** Splits an endpoint setting into protocol and host[:port]; a bare loopback address means http. */
export function parseOpenApiEndpoint(endpoint: string): { protocol: 'http' | 'https'; endpoint: string } {
  const { protocol, host } = parseEndpoint(endpoint);
  return { protocol, endpoint: host };
}

type Done = (error: RamError, attempt: number) => boolean;

export class RamOpenApi {
  constructor(private readonly options: RamOpenApiOptions) {}

  async *listGroups(): AsyncGenerator<RamGroup> {
    let marker: string | undefined;
    do {
      const page = await this.call<GroupsBody>('ListGroups', { Marker: marker, MaxItems: Math.min(this.options.pageSize ?? 100, 100) });
      for (const g of list(page?.Groups?.Group)) {
        if (!g.GroupName) continue;
        yield g.Comments ? { groupName: g.GroupName, comments: g.Comments } : { groupName: g.GroupName };
      }
      marker = page?.IsTruncated ? page.Marker : undefined;
    } while (marker);
  }

  /** Creates the group; a group that exists already (e.g. created by a lost-answer attempt) is fine. */
  async createGroup(group: RamGroup): Promise<void> {
    await this.call('CreateGroup', { GroupName: group.groupName, Comments: group.comments },
      (e) => e.code === 'EntityAlreadyExists.Group');
  }

  async updateGroup(groupName: string, change: { newGroupName?: string; comments?: string }): Promise<void> {
    await this.call('UpdateGroup', { GroupName: groupName, NewGroupName: change.newGroupName, NewComments: change.comments },
      // A rename applied before its answer was lost leaves the old name gone on the retry.
      (e, attempt) => attempt > 1 && !!change.newGroupName && e.code === 'EntityNotExist.Group');
  }

  async *listGroupMembers(groupName: string): AsyncGenerator<string> {
    let marker: string | undefined;
    do {
      const page = await this.call<UsersBody>('ListUsersForGroup', { GroupName: groupName, Marker: marker, MaxItems: this.options.pageSize ?? 100 });
      for (const u of list(page?.Users?.User)) if (u.UserName) yield u.UserName;
      marker = page?.IsTruncated ? page.Marker : undefined;
    } while (marker);
  }

  async listGroupsForUser(userName: string): Promise<string[]> {
    const answer = await this.call<GroupsBody>('ListGroupsForUser', { UserName: userName });
    return list(answer?.Groups?.Group).flatMap((g) => (g.GroupName ? [g.GroupName] : []));
  }

  async addUserToGroup(groupName: string, userName: string): Promise<void> {
    await this.call('AddUserToGroup', { GroupName: groupName, UserName: userName }, (e) => e.code === 'EntityAlreadyExists.User.Group');
  }

  async removeUserFromGroup(groupName: string, userName: string): Promise<void> {
    await this.call('RemoveUserFromGroup', { GroupName: groupName, UserName: userName }, (e) => e.code === 'EntityNotExist.User.Group');
  }

  async listAccessKeys(userName: string): Promise<RamAccessKey[]> {
    const answer = await this.call<AccessKeysBody>('ListAccessKeys', { UserName: userName });
    return list(answer?.AccessKeys?.AccessKey).flatMap((k) =>
      k.AccessKeyId ? [{ accessKeyId: k.AccessKeyId, status: k.Status === 'Inactive' ? 'Inactive' as const : 'Active' as const }] : []);
  }

  /** Always with UserName: without it RAM acts on the caller's own keys. */
  async setAccessKeyStatus(userName: string, accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    await this.call('UpdateAccessKey', { UserName: userName, UserAccessKeyId: accessKeyId, Status: status });
  }

  async getLoginProfile(userName: string): Promise<RamLoginProfile | undefined> {
    const answer = await this.call<LoginProfileBody>('GetLoginProfile', { UserName: userName },
      (e) => e.code === 'EntityNotExist.User.LoginProfile');
    const profile = answer?.LoginProfile;
    if (!profile) return undefined;
    return { passwordResetRequired: profile.PasswordResetRequired ?? false, mfaBindRequired: profile.MFABindRequired ?? false };
  }

  async createLoginProfile(userName: string, profile: RamLoginProfile & { password: string }): Promise<void> {
    await this.call('CreateLoginProfile', {
      UserName: userName, Password: profile.password,
      PasswordResetRequired: profile.passwordResetRequired, MFABindRequired: profile.mfaBindRequired,
    },
    // Only a retry may find its own earlier attempt's profile; a first-attempt conflict is reported.
    (e, attempt) => attempt > 1 && e.code === 'EntityAlreadyExists.User.LoginProfile');
  }

  async deleteLoginProfile(userName: string): Promise<void> {
    await this.call('DeleteLoginProfile', { UserName: userName }, (e) => e.code === 'EntityNotExist.User.LoginProfile');
  }

  /**
   * One action with retries under the limiter; errors translated once. When `done` accepts an
   * error the action counts as achieved and the answer is undefined.
   */
  private call<T>(action: string, params: Params, done?: Done): Promise<T | undefined> {
    const { protocol, host } = parseEndpoint(this.options.endpoint);
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    return withRetry<T | undefined>(this.options.retry, async (attempt) => {
      const credentials = await this.credentials();
      try {
        const answer = await this.options.limiter.run(() =>
          callOpenApi({ protocol, host, action, version: VERSION, query: params, credentials, timeoutMs }));
        return JSON.parse(answer.body.toString('utf8')) as T;
      } catch (thrown) {
        const error = translateSdkError(thrown, action);
        if (done?.(error, attempt)) return undefined;
        throw error;
      }
    });
  }

  private async credentials(): Promise<CloudCredentials> {
    const source = this.options.credentials;
    let credentials: CloudCredentials;
    try {
      credentials = typeof source === 'function' ? await source() : source;
    } catch (cause) {
      throw missingCredentials(cause);
    }
    if (!credentials?.accessKeyId || !credentials.accessKeySecret) throw missingCredentials();
    return credentials;
  }
}

function missingCredentials(cause?: unknown): RamAuthError {
  return new RamAuthError({
    code: 'MissingCredentials', operation: 'RamOpenApi', reason: 'no RAM OpenAPI credentials', cause,
    recommendedAction: 'set ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, or give the function a role',
  });
}
