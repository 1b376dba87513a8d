import { RAM_QUOTAS, startRamEmulator, type RunningEmulator } from '../../../infra/emulator/RamEmulator';
import * as $Ram from '@alicloud/ram20150501';
import { ramClient, scim, scimToken, scimUser } from './helpers';

describe('RAM emulator state and counters', () => {
  let emu: RunningEmulator;
  beforeEach(async () => {
    emu = await startRamEmulator();
  });
  afterEach(() => emu.close());

  it('publishes RAM default quotas', () => {
    expect(RAM_QUOTAS).toEqual({ groupsPerUser: 5, groupsPerAccount: 50, accessKeysPerUser: 2 });
    expect(emu.state.quotas).toBe(RAM_QUOTAS);
  });

  it('exposes its URLs on loopback', () => {
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.scimUrl).toBe(emu.url);
    expect(emu.tokenUrl).toBe(`${emu.url}/v1/token`);
    expect(emu.authorizeUrl).toBe(`${emu.url}/oauth2/v1/auth`);
    expect(`http://${emu.openApiEndpoint}`).toBe(emu.url);
  });

  it('snapshots everything in a stable order, without generated ids or dates', () => {
    emu.state.seedConsoleUser('zed', 'Zed');
    emu.state.createUser({ userName: 'Amy', displayName: 'Amy', externalId: 'ad:a' }, 'scim');
    emu.state.createGroup('ops', 'Operations');
    emu.state.createGroup('dev', '');
    emu.state.addUserToGroup('zed', 'ops');
    emu.state.addUserToGroup('amy', 'ops');
    emu.state.addUserToGroup('amy', 'dev');
    emu.state.attachAccessKey('zed');
    emu.state.attachPolicy('zed', 'ReadOnlyAccess');
    emu.state.bindMfa('zed');
    emu.state.createLoginProfile('amy');
    expect(emu.state.snapshot()).toEqual({
      users: [
        {
          userName: 'Amy', displayName: 'Amy', externalId: 'ad:a', createdBy: 'scim',
          groups: ['dev', 'ops'], accessKeys: [], loginProfile: true, policies: [], mfa: false,
        },
        {
          userName: 'zed', displayName: 'Zed', externalId: null, createdBy: 'console',
          groups: ['ops'], accessKeys: ['Active'], loginProfile: false, policies: ['System:ReadOnlyAccess'], mfa: true,
        },
      ],
      groups: [
        { groupName: 'dev', comments: '', members: ['Amy'] },
        { groupName: 'ops', comments: 'Operations', members: ['Amy', 'zed'] },
      ],
    });
    expect(JSON.parse(JSON.stringify(emu.state.snapshot()))).toEqual(emu.state.snapshot());
  });

  it('keeps memberships and keys across a SCIM rename', async () => {
    const token = await scimToken(emu);
    const created = await scim(emu, token, 'POST', '/Users', scimUser('alice', 'Alice', 'ad:1'));
    emu.state.createGroup('dev', '');
    emu.state.addUserToGroup('alice', 'dev');
    await scim(emu, token, 'PUT', `/Users/${created.body.id}`, scimUser('alice.liu', 'Alice', 'ad:1'));
    expect(emu.state.groupsForUser('ALICE.LIU').map((m) => m.group.name)).toEqual(['dev']);
  });

  it('counts reads and writes per action, not token calls, and resets', async () => {
    const token = await scimToken(emu);
    await scim(emu, token, 'POST', '/Users', scimUser('alice', 'Alice'));
    await scim(emu, token, 'GET', '/Users?filter=userName%20eq%20%22alice%22');
    const user = emu.state.userByName('alice');
    await scim(emu, token, 'GET', `/Users/${user?.id}`);
    await ramClient(emu).createGroup(new $Ram.CreateGroupRequest({ groupName: 'dev' }));
    await ramClient(emu).addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'dev', userName: 'alice' }));
    await ramClient(emu).listGroupsForUser(new $Ram.ListGroupsForUserRequest({ userName: 'alice' }));
    expect(emu.counters).toMatchObject({
      writes: 3,
      reads: 3,
      byAction: {
        'SCIM POST /Users': 1,
        'SCIM GET /Users': 1,
        'SCIM GET /Users/{id}': 1,
        CreateGroup: 1,
        AddUserToGroup: 1,
        ListGroupsForUser: 1,
      },
    });
    emu.counters.reset();
    expect(emu.counters).toMatchObject({ writes: 0, reads: 0, byAction: {} });
  });
});
