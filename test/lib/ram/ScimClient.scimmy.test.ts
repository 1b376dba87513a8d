import { startScimmyServer } from '../../support/scimmyServer';
import { describeScimContract } from './scimClientContract';

describeScimContract('the scimmy server', async () => {
  const scim = await startScimmyServer();
  return { scimUrl: scim.url, tokenUrl: scim.tokenUrl, clientId: scim.clientId, clientSecret: scim.clientSecret, close: () => scim.close() };
});
