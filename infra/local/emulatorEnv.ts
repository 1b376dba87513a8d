/**
 * How the product reaches the local RAM emulator: the same variables an operator sets for real RAM,
 * pointed at loopback with the emulator's built-in, local-only credentials.
 */
export const EMULATOR_DEFAULTS = {
  port: 9100,
  clientId: 'emulator-client',
  clientSecret: 'emulator-secret',
  accessKeyId: 'emulator-ak',
  accessKeySecret: 'emulator-ak-secret',
} as const;

export function emulatorEnv(url: string): Record<string, string> {
  return {
    RAM_SCIM_URL: url,
    RAM_OAUTH_TOKEN_URL: `${url}/v1/token`,
    RAM_OAUTH_CLIENT_ID: EMULATOR_DEFAULTS.clientId,
    RAM_OAUTH_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret,
    RAM_OAUTH_GRANT: 'client_credentials',
    RAM_OPENAPI_ENDPOINT: url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_DEFAULTS.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_DEFAULTS.accessKeySecret,
  };
}
