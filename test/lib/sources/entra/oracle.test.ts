/**
 * @azure/msal-node (Microsoft's own client, a dev dependency only) as an oracle for the token request:
 * it asks the local token endpoint for a client-credentials token, and its form is compared with
 * ours. msal refuses an http:// authority (authority_uri_insecure), so it is given the real https
 * authority and a network client that carries its requests to the fake on loopback.
 */
import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { parseEntraSourceConfig } from '../../../../functions/lib/sources/entra/config';
import { GraphApi } from '../../../../functions/lib/sources/entra/GraphApi';
import { type GraphFake, graphEnv, graphUser, startGraphApi } from '../../../support/graphApi';

const AUTHORITY_HOST = 'https://login.microsoftonline.com';

describe('the token request, against @azure/msal-node', () => {
  let graph: GraphFake;
  beforeEach(async () => { graph = await startGraphApi({ users: [graphUser(1)] }); });
  afterEach(() => graph.close());

  /** msal's HTTP, redirected: the tenant's OpenID metadata answered here, token POSTs sent to the fake. */
  const toFake = (): INetworkModule => ({
    async sendGetRequestAsync<T>(url: string): Promise<NetworkResponse<T>> {
      const tenant = new URL(url).pathname.split('/')[1];
      const body = {
        token_endpoint: `${AUTHORITY_HOST}/${tenant}/oauth2/v2.0/token`, issuer: `${AUTHORITY_HOST}/${tenant}/v2.0`,
        authorization_endpoint: `${AUTHORITY_HOST}/${tenant}/oauth2/v2.0/authorize`, end_session_endpoint: `${AUTHORITY_HOST}/${tenant}/oauth2/v2.0/logout`,
        jwks_uri: `${AUTHORITY_HOST}/${tenant}/discovery/v2.0/keys`,
      };
      return { headers: {}, body: body as T, status: 200 };
    },
    async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
      const response = await fetch(url.replace(AUTHORITY_HOST, graph.url), { method: 'POST', headers: options?.headers, body: options?.body });
      return { headers: Object.fromEntries(response.headers), body: await response.json() as T, status: response.status };
    },
  });
  const msal = (clientSecret = graph.clientSecret) => new ConfidentialClientApplication({
    auth: { clientId: graph.clientId, clientSecret, authority: `${AUTHORITY_HOST}/${graph.tenantId}`, knownAuthorities: ['login.microsoftonline.com'] },
    system: { networkClient: toFake() },
  });

  it('msal gets a token from the fake, and sends the same client-credentials fields, as a form, as GraphApi does', async () => {
    const result = await msal().acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    expect(result?.accessToken).toMatch(/^eyJ/);
    expect(result?.tokenType).toBe('Bearer');
    await new GraphApi(parseEntraSourceConfig(graphEnv(graph))!).getUser(graphUser(1).id);

    const [theirs, ours] = graph.tokenRequests;
    expect(theirs!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(ours!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    // msal adds telemetry and client_info fields; every field we send is one msal sends, with the same value.
    for (const [field, value] of Object.entries(ours!.form)) expect([field, theirs!.form[field]]).toEqual([field, value]);
    expect(Object.keys(ours!.form).sort()).toEqual(['client_id', 'client_secret', 'grant_type', 'scope']);
  });

  it('msal reads the fake\'s refusal of a wrong secret as Entra\'s: invalid_client, AADSTS7000215', async () => {
    const error = await msal('wrong-secret').acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ errorCode: 'invalid_client' });
    expect(String((error as { errorMessage?: string }).errorMessage)).toMatch(/AADSTS7000215/);
  });
});
