/**
 * How the product reaches the emulator: the same variables an operator sets for real RAM, pointed
 * at loopback with the emulator's built-in, local-only credentials.
 */
import { DEFAULT_ACCESS_KEYS, DEFAULT_CLIENTS } from './types';

export const EMULATOR_DEFAULT_PORT = 9100;

export function emulatorEnv(url: string): Record<string, string> {
  const server = DEFAULT_CLIENTS.find((c) => c.type === 'server')!;
  const key = DEFAULT_ACCESS_KEYS[0]!;
  return {
    RAM_SCIM_URL: url,
    RAM_OAUTH_TOKEN_URL: `${url}/v1/token`,
    RAM_OAUTH_CLIENT_ID: server.clientId,
    RAM_OAUTH_CLIENT_SECRET: server.clientSecret,
    RAM_OAUTH_GRANT: 'client_credentials',
    RAM_OPENAPI_ENDPOINT: url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
  };
}
