/** Okta: the Users/Groups/System Log API client, the engine's source and okta-poll's poller. */
export {
  DEFAULT_POLL_OVERLAP_SECONDS, OKTA_DEPARTMENT_MODES, OKTA_SCOPES, parseOktaSourceConfig,
  type OktaDepartmentMode, type OktaOAuthAuth, type OktaSourceConfig, type OktaTokenAuth,
} from './config';
