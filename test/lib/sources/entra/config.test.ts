import { parseEntraSourceConfig } from '../../../../functions/lib/sources/entra/config';
import { refusedVariables } from '../../../support/configProblems';

const BASE = {
  ENTRA_TENANT_ID: '11111111-2222-4333-8444-555555555555', ENTRA_CLIENT_ID: '99999999-8888-4777-8666-555555555555', ENTRA_CLIENT_SECRET: 'Abc8Q~secret-sentinel',
};

describe('parseEntraSourceConfig', () => {
  it('is off without ENTRA_TENANT_ID', () => {
    expect(parseEntraSourceConfig({})).toBeUndefined();
    expect(parseEntraSourceConfig({ ENTRA_CLIENT_ID: BASE.ENTRA_CLIENT_ID })).toBeUndefined();
  });

  it('defaults to the global cloud, departments from the attribute', () => {
    expect(parseEntraSourceConfig(BASE)).toEqual({
      tenantId: BASE.ENTRA_TENANT_ID, clientId: BASE.ENTRA_CLIENT_ID, clientSecret: BASE.ENTRA_CLIENT_SECRET, cloud: 'global',
      loginUrl: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com', scope: 'https://graph.microsoft.com/.default',
      departments: 'attribute', timeoutMs: 15_000,
    });
  });

  it('china sets both endpoints and the scope; ENTRA_LOGIN_URL overrides the authority only', () => {
    expect(parseEntraSourceConfig({ ...BASE, ENTRA_TENANT_ID: 'contoso.partner.onmschina.cn', ENTRA_CLOUD: 'china' })).toMatchObject({
      tenantId: 'contoso.partner.onmschina.cn', loginUrl: 'https://login.chinacloudapi.cn', graphUrl: 'https://microsoftgraph.chinacloudapi.cn',
      scope: 'https://microsoftgraph.chinacloudapi.cn/.default',
    });
    expect(parseEntraSourceConfig({ ...BASE, ENTRA_CLOUD: 'china', ENTRA_LOGIN_URL: 'https://login.partner.microsoftonline.cn/' })).toMatchObject({
      loginUrl: 'https://login.partner.microsoftonline.cn', graphUrl: 'https://microsoftgraph.chinacloudapi.cn',
    });
  });

  it('takes a loopback http Graph (a fake) and drops a trailing /v1.0; the scope stays the cloud\'s', () => {
    expect(parseEntraSourceConfig({ ...BASE, ENTRA_GRAPH_URL: 'http://127.0.0.1:4000/v1.0', ENTRA_DEPARTMENTS: 'both' })).toMatchObject({
      graphUrl: 'http://127.0.0.1:4000', scope: 'https://graph.microsoft.com/.default', departments: 'both',
    });
  });

  it('names every bad variable at once, never the secret', () => {
    const env = {
      ENTRA_TENANT_ID: 'common', ENTRA_CLIENT_ID: 'my-app', ENTRA_CLOUD: 'usgov', ENTRA_GRAPH_URL: 'http://graph.example', ENTRA_DEPARTMENTS: 'ou',
      ENTRA_TIMEOUT_MS: '0',
    };
    expect(refusedVariables(() => parseEntraSourceConfig(env))).toEqual([
      'ENTRA_TENANT_ID', 'ENTRA_CLIENT_ID', 'ENTRA_CLIENT_SECRET', 'ENTRA_CLOUD', 'ENTRA_GRAPH_URL', 'ENTRA_DEPARTMENTS', 'ENTRA_TIMEOUT_MS',
    ]);
    let message = '';
    try { parseEntraSourceConfig({ ...BASE, ENTRA_CLIENT_ID: 'nope' }); } catch (error) { message = (error as Error).message; }
    expect(message).toContain('ENTRA_CLIENT_ID');
    expect(message).not.toContain(BASE.ENTRA_CLIENT_SECRET);
  });
});
