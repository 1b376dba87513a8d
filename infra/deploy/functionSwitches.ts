/**
 * Functions that are optional within their source (they only lower latency): deployed by
 * `npm run deploy`, and counted as on by the local stack, only when this variable is set as well as
 * the source's switch. Unset, the function is off, not misconfigured.
 */
export const FUNCTION_SWITCHES: Readonly<Record<string, string>> = {
  'entra-webhook': 'ENTRA_CLIENT_STATE',
  // Event hooks are Okta's fast path; okta-poll reads every change without them.
  'okta-webhook': 'OKTA_EVENT_HOOK_SECRET',
};
