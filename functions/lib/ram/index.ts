/** The RAM adapter: SCIM for users, the OpenAPI for groups, memberships, AccessKeys and login profiles. */
export { RamClient, createRamClient, type RamClientDeps } from './RamClient';
export { ScimClient, eqFilter, SCIM_USER_SCHEMA, type ScimClientOptions } from './ScimClient';
export { RamOpenApi, parseOpenApiEndpoint, type CredentialSource, type RamCredentials, type RamOpenApiOptions } from './RamOpenApi';
export {
  ClientCredentialsTokenProvider, RefreshTokenProvider, requestToken, REFRESH_TOKEN_KEY,
  type OAuthClientOptions, type StoredRefreshToken, type TokenAnswer, type TokenProvider,
} from './OAuthToken';
export { ConfigError, parseRamConfig, type RamConfig } from './config';
export { createLimiter, type Limiter, type LimiterOptions } from './limiter';
export { backoffMs, realSleep, retryPolicy, withRetry, type RetryHooks, type RetryPolicy } from './retry';
export {
  FinalRamError, RamAuthError, RamConflictError, RamError, RamNotFoundError, RetryableRamError,
  isRamError, parseRetryAfter, ramErrorFrom, translateScimResponse, translateSdkError, translateTransportError,
  type RamErrorInit,
} from './errors';
export { recommendedActionFor } from './recommendations';
