/**
 * The RamTarget the engine uses: SCIM for users, the OpenAPI for the rest, one retry policy and
 * one limiter shared by both, so RAM sees a single well-behaved client.
 */
import type { AccessKeyStatus, RamAccessKey, RamGroup, RamLoginProfile, RamUser, RamUserInput } from '../core/model';
import type { RamTarget, StateStore } from '../core/ports';
import { sharedRateBudget } from './accountRate';
import { ConfigError, type RamConfig } from './config';
import { createLimiter, type Limiter } from './limiter';
import { ClientCredentialsTokenProvider, RefreshTokenProvider, type TokenProvider } from './OAuthToken';
import { RamOpenApi, type CredentialSource } from './RamOpenApi';
import { retryPolicy, type RetryPolicy } from './retry';
import { ScimClient } from './ScimClient';

export class RamClient implements RamTarget {
  constructor(private readonly scim: ScimClient, private readonly openApi: RamOpenApi) {}

  listUsers(): AsyncIterable<RamUser> { return this.scim.listUsers(); }
  getUser(id: string): Promise<RamUser | undefined> { return this.scim.getUser(id); }
  findUserByExternalId(externalId: string): Promise<RamUser | undefined> { return this.scim.findByExternalId(externalId); }
  findUserByUserName(userName: string): Promise<RamUser | undefined> { return this.scim.findByUserName(userName); }
  createUser(user: RamUserInput): Promise<RamUser> { return this.scim.createUser(user); }
  replaceUser(id: string, user: RamUserInput): Promise<RamUser> { return this.scim.replaceUser(id, user); }
  deleteUser(id: string): Promise<void> { return this.scim.deleteUser(id); }

  listGroups(): AsyncIterable<RamGroup> { return this.openApi.listGroups(); }
  createGroup(group: RamGroup): Promise<void> { return this.openApi.createGroup(group); }
  updateGroup(groupName: string, change: { newGroupName?: string; comments?: string }): Promise<void> {
    return this.openApi.updateGroup(groupName, change);
  }
  listGroupMembers(groupName: string): AsyncIterable<string> { return this.openApi.listGroupMembers(groupName); }
  listGroupsForUser(userName: string): Promise<string[]> { return this.openApi.listGroupsForUser(userName); }
  addUserToGroup(groupName: string, userName: string): Promise<void> { return this.openApi.addUserToGroup(groupName, userName); }
  removeUserFromGroup(groupName: string, userName: string): Promise<void> {
    return this.openApi.removeUserFromGroup(groupName, userName);
  }

  listAccessKeys(userName: string): Promise<RamAccessKey[]> { return this.openApi.listAccessKeys(userName); }
  setAccessKeyStatus(userName: string, accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    return this.openApi.setAccessKeyStatus(userName, accessKeyId, status);
  }
  getLoginProfile(userName: string): Promise<RamLoginProfile | undefined> { return this.openApi.getLoginProfile(userName); }
  deleteLoginProfile(userName: string): Promise<void> { return this.openApi.deleteLoginProfile(userName); }
  createLoginProfile(userName: string, profile: RamLoginProfile & { password: string }): Promise<void> {
    return this.openApi.createLoginProfile(userName, profile);
  }
}

export interface RamClientDeps {
  /** OpenAPI credentials; default `config.credentials` (from ALIBABA_CLOUD_*). In FC pass a function reading context.credentials. */
  credentials?: CredentialSource;
  /**
   * Required for the refresh_token grant: holds the Native app's rotating refresh token. Also holds
   * the account's request budget: every client on one store shares RAM_RATE_LIMIT (accountRate.ts).
   */
  stateStore?: StateStore;
  /** Overrides of the retry policy (tests inject `sleep` and `random`). */
  retry?: Partial<RetryPolicy>;
  limiter?: Limiter;
  tokens?: TokenProvider;
  fetch?: typeof fetch;
  pageSize?: number;
}

/**
 * @example
 * const ram = createRamClient(parseRamConfig(process.env), { credentials: () => context.credentials });
 * const alice = await ram.findUserByExternalId('ad:5f1c…');
 */
export function createRamClient(config: RamConfig, deps: RamClientDeps = {}): RamClient {
  const limiter = deps.limiter ?? createLimiter({
    ratePerSecond: config.rateLimit, concurrency: config.concurrency,
    ...(deps.stateStore && { budget: sharedRateBudget(deps.stateStore, config.rateLimit) }),
  });
  const retry = retryPolicy({ maxAttempts: config.maxAttempts, ...deps.retry });
  // Our limiter slows the budget down on throttling, so a throttled SCIM or OpenAPI retry waits for
  // it instead of sleeping. The token service is not behind the limiter: its retries keep backing off.
  const paced = { ...retry, pacedThrottling: !deps.limiter };
  const oauth = {
    tokenUrl: config.tokenUrl, clientId: config.clientId, clientSecret: config.clientSecret,
    timeoutMs: config.timeoutMs, retry, fetch: deps.fetch,
  };
  let tokens = deps.tokens;
  if (!tokens && config.grant === 'refresh_token') {
    if (!deps.stateStore) throw new ConfigError([{ variable: 'RAM_OAUTH_GRANT', problem: 'is refresh_token, which needs a state store (STATE_DIR) holding the consented refresh token' }]);
    tokens = new RefreshTokenProvider(oauth, deps.stateStore);
  }
  tokens ??= new ClientCredentialsTokenProvider(oauth);
  const credentials: CredentialSource = deps.credentials ?? config.credentials ?? (() => {
    throw new ConfigError([{ variable: 'ALIBABA_CLOUD_ACCESS_KEY_ID', problem: 'is required for the RAM OpenAPI (or run in FC with a function role)' }]);
  });
  const scim = new ScimClient({
    baseUrl: config.scimUrl, tokens, retry: paced, limiter, timeoutMs: config.timeoutMs, fetch: deps.fetch, pageSize: deps.pageSize,
  });
  const openApi = new RamOpenApi({
    endpoint: config.openApiEndpoint, credentials, retry: paced, limiter, timeoutMs: config.timeoutMs, pageSize: deps.pageSize,
  });
  return new RamClient(scim, openApi);
}
