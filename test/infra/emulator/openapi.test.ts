import * as $Ram from '@alicloud/ram20150501';
import { OpenApiUtil } from '@alicloud/openapi-core';
import { startRamEmulator, type RunningEmulator } from '../../../infra/emulator/RamEmulator';
import { ramClient, scim, scimToken, scimUser, sdkError } from './helpers';

describe('RAM emulator OpenAPI', () => {
  let emu: RunningEmulator;
  beforeEach(async () => {
    emu = await startRamEmulator();
  });
  afterEach(() => emu.close());

  describe.each([
    ['V3 (ACS3-HMAC-SHA256, the SDK default)', undefined],
    ['V2 (HMAC-SHA1 in the query)', 'v2' as const],
  ])('signed %s', (_name, signatureAlgorithm) => {
    const client = () => ramClient(emu, signatureAlgorithm ? { signatureAlgorithm } : {});

    it('runs a group lifecycle through the real SDK', async () => {
      emu.state.seedConsoleUser('alice', 'Alice');
      const ram = client();
      const created = await ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'dev-team', comments: 'R&D: a+b (50%)!' }));
      expect(created.statusCode).toBe(200);
      expect(created.body?.group).toMatchObject({ groupName: 'dev-team', comments: 'R&D: a+b (50%)!' });
      await ram.updateGroup(new $Ram.UpdateGroupRequest({ groupName: 'dev-team', newGroupName: 'dev', newComments: 'Developers' }));
      expect((await ram.getGroup(new $Ram.GetGroupRequest({ groupName: 'DEV' }))).body?.group?.comments).toBe('Developers');
      await ram.addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'dev', userName: 'ALICE' }));
      const forUser = await ram.listGroupsForUser(new $Ram.ListGroupsForUserRequest({ userName: 'alice' }));
      expect(forUser.body?.groups?.group?.map((g) => g.groupName)).toEqual(['dev']);
      const members = await ram.listUsersForGroup(new $Ram.ListUsersForGroupRequest({ groupName: 'dev' }));
      expect(members.body?.users?.user?.map((u) => u.userName)).toEqual(['alice']);
      expect(members.body?.isTruncated).toBe(false);
      await ram.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ groupName: 'dev', userName: 'alice' }));
      await ram.deleteGroup(new $Ram.DeleteGroupRequest({ groupName: 'dev' }));
      expect((await ram.listGroups(new $Ram.ListGroupsRequest({}))).body?.groups?.group).toEqual([]);
      expect(emu.counters.byAction).toMatchObject({ CreateGroup: 1, AddUserToGroup: 1, ListGroupsForUser: 1 });
    });

    it('refuses a wrong secret with 400 SignatureDoesNotMatch and an unknown key with 404', async () => {
      const wrong = await sdkError(
        ramClient(emu, { accessKeySecret: 'wrong', ...(signatureAlgorithm ? { signatureAlgorithm } : {}) }).listGroups(
          new $Ram.ListGroupsRequest({}),
        ),
      );
      expect(wrong).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
      const unknown = await sdkError(
        ramClient(emu, { accessKeyId: 'LTAInobody', ...(signatureAlgorithm ? { signatureAlgorithm } : {}) }).listGroups(
          new $Ram.ListGroupsRequest({}),
        ),
      );
      expect(unknown).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', statusCode: 404 });
      expect(emu.counters.reads).toBe(2); // refused requests reached the handler but changed nothing
    });

    it('accepts STS credentials (a security token)', async () => {
      const sts = ramClient(emu, { securityToken: 'CAIS-emulated-sts-token', ...(signatureAlgorithm ? { signatureAlgorithm } : {}) });
      const res = await sts.listUsers(new $Ram.ListUsersRequest({}));
      expect(res.statusCode).toBe(200);
    });
  });

  it('refuses a replayed V2 request (same SignatureNonce)', async () => {
    const query: Record<string, string> = {
      Action: 'ListGroups',
      Format: 'json',
      Version: '2015-05-01',
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      SignatureNonce: 'fixed-nonce-1',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      AccessKeyId: 'emulator-ak',
    };
    // The SDK's own signer is the oracle for the canonicalisation.
    query.Signature = OpenApiUtil.getRPCSignature(query, 'POST', 'emulator-ak-secret');
    const send = () => fetch(`${emu.url}/?${new URLSearchParams(query)}`, { method: 'POST' });
    expect((await send()).status).toBe(200);
    const replay = await send();
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ Code: 'SignatureNonceUsed', HostId: 'ram.aliyuncs.com' });
  });

  it('shares users with SCIM: a SCIM user is found by GetUser in any case', async () => {
    const token = await scimToken(emu);
    const created = await scim(emu, token, 'POST', '/Users', scimUser('carol', 'Carol', 'ad:3'));
    const res = await ramClient(emu).getUser(new $Ram.GetUserRequest({ userName: 'Carol' }));
    expect(res.body?.user).toMatchObject({ userId: created.body?.id, userName: 'carol', displayName: 'Carol' });
  });

  describe('errors, exactly as RAM answers them', () => {
    const ram = () => ramClient(emu);

    it('answers unknown entities with 404 codes', async () => {
      emu.state.seedConsoleUser('alice', 'Alice');
      emu.state.createGroup('dev', '');
      const cases: [Promise<unknown>, string][] = [
        [ram().getUser(new $Ram.GetUserRequest({ userName: 'nobody' })), 'EntityNotExist.User'],
        [ram().getGroup(new $Ram.GetGroupRequest({ groupName: 'nogroup' })), 'EntityNotExist.Group'],
        [ram().removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ groupName: 'dev', userName: 'alice' })), 'EntityNotExist.User.Group'],
        [ram().getLoginProfile(new $Ram.GetLoginProfileRequest({ userName: 'alice' })), 'EntityNotExist.User.LoginProfile'],
        [ram().addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'nogroup', userName: 'alice' })), 'EntityNotExist.Group'],
      ];
      for (const [call, code] of cases) {
        const err = await sdkError(call);
        expect({ code: err.code, statusCode: err.statusCode }).toEqual({ code, statusCode: 404 });
        expect(err.data).toMatchObject({ Code: code, HostId: 'ram.aliyuncs.com' });
        expect(typeof err.data.RequestId).toBe('string');
      }
    });

    it('answers conflicts with 409 codes', async () => {
      emu.state.seedConsoleUser('alice', 'Alice');
      await ram().createGroup(new $Ram.CreateGroupRequest({ groupName: 'dev' }));
      expect(await sdkError(ram().createGroup(new $Ram.CreateGroupRequest({ groupName: 'DEV' })))).toMatchObject({
        code: 'EntityAlreadyExists.Group',
        statusCode: 409,
      });
      await ram().addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'dev', userName: 'alice' }));
      expect(
        await sdkError(ram().addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'dev', userName: 'alice' }))),
      ).toMatchObject({ code: 'EntityAlreadyExists.User.Group', statusCode: 409 });
      expect(await sdkError(ram().deleteGroup(new $Ram.DeleteGroupRequest({ groupName: 'dev' })))).toMatchObject({
        code: 'DeleteConflict.Group.User',
        statusCode: 409,
      });
    });

    it('validates group names with InvalidParameter.GroupName.* (400)', async () => {
      expect(await sdkError(ram().createGroup(new $Ram.CreateGroupRequest({ groupName: 'dev team' })))).toMatchObject({
        code: 'InvalidParameter.GroupName.InvalidChars',
        statusCode: 400,
      });
      expect(await sdkError(ram().createGroup(new $Ram.CreateGroupRequest({ groupName: 'g'.repeat(65) })))).toMatchObject({
        code: 'InvalidParameter.GroupName.Length',
        statusCode: 400,
      });
      expect(await sdkError(ram().createGroup(new $Ram.CreateGroupRequest({})))).toMatchObject({
        code: 'MissingGroupName',
        statusCode: 400,
      });
    });

    it('enforces 5 groups per user and 50 groups per account', async () => {
      emu.state.seedConsoleUser('alice', 'Alice');
      for (let i = 0; i < emu.state.quotas.groupsPerAccount; i++) {
        await ram().createGroup(new $Ram.CreateGroupRequest({ groupName: `g${i}` }));
      }
      expect(await sdkError(ram().createGroup(new $Ram.CreateGroupRequest({ groupName: 'one-too-many' })))).toMatchObject({
        code: 'LimitExceeded.Group',
        statusCode: 409,
      });
      for (let i = 0; i < emu.state.quotas.groupsPerUser; i++) {
        await ram().addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: `g${i}`, userName: 'alice' }));
      }
      expect(
        await sdkError(ram().addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'g5', userName: 'alice' }))),
      ).toMatchObject({ code: 'LimitExceeded.User.Group', statusCode: 409 });
      expect(emu.state.snapshot().users[0]?.groups).toHaveLength(5);
    });

    it('answers an unknown action with 404 InvalidAction.NotFound', async () => {
      const err = await sdkError(ram().createUser(new $Ram.CreateUserRequest({ userName: 'x', displayName: 'X' })));
      expect(err).toMatchObject({ code: 'InvalidAction.NotFound', statusCode: 404 });
    });
  });

  describe('paging', () => {
    it('pages ListUsers with Marker, sent only while IsTruncated', async () => {
      for (let i = 0; i < 5; i++) emu.state.seedConsoleUser(`u${i}`, `U${i}`);
      const names: string[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const page = await ramClient(emu).listUsers(new $Ram.ListUsersRequest({ maxItems: 2, ...(marker ? { marker } : {}) }));
        names.push(...(page.body?.users?.user ?? []).map((u) => u.userName as string));
        expect(page.body?.marker === undefined).toBe(!page.body?.isTruncated);
        marker = page.body?.isTruncated ? page.body?.marker : undefined;
        pages++;
      } while (marker);
      expect(names).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
      expect(pages).toBe(3);
    });

    it('pages ListUsersForGroup and refuses MaxItems out of range', async () => {
      emu.state.createGroup('dev', '');
      for (let i = 0; i < 3; i++) {
        emu.state.seedConsoleUser(`m${i}`, `M${i}`);
        emu.state.addUserToGroup(`m${i}`, 'dev');
      }
      const first = await ramClient(emu).listUsersForGroup(new $Ram.ListUsersForGroupRequest({ groupName: 'dev', maxItems: 2 }));
      expect(first.body).toMatchObject({ isTruncated: true });
      const second = await ramClient(emu).listUsersForGroup(
        new $Ram.ListUsersForGroupRequest({ groupName: 'dev', maxItems: 2, marker: first.body?.marker }),
      );
      expect(second.body?.users?.user?.map((u) => u.userName)).toEqual(['m2']);
      expect(second.body?.marker).toBeUndefined();
      expect(await sdkError(ramClient(emu).listUsers(new $Ram.ListUsersRequest({ maxItems: 0 })))).toMatchObject({
        code: 'InvalidParameter.MaxItems',
        statusCode: 400,
      });
    });
  });

  describe('access keys, login profiles and policies', () => {
    it('lists, deactivates and deletes a user AccessKey; the caller needs UserName', async () => {
      emu.state.seedConsoleUser('alice', 'Alice');
      const key = emu.state.attachAccessKey('alice');
      const ram = ramClient(emu);
      const listed = await ram.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'alice' }));
      expect(listed.body?.accessKeys?.accessKey).toEqual([expect.objectContaining({ accessKeyId: key.id, status: 'Active' })]);
      await ram.updateAccessKey(new $Ram.UpdateAccessKeyRequest({ userName: 'alice', userAccessKeyId: key.id, status: 'Inactive' }));
      expect(emu.state.accessKeysOf('alice')[0]?.status).toBe('Inactive');
      expect(
        await sdkError(ram.updateAccessKey(new $Ram.UpdateAccessKeyRequest({ userAccessKeyId: key.id, status: 'Active' }))),
      ).toMatchObject({ code: 'EntityNotExist.User.AccessKey', statusCode: 404 });
      expect(
        await sdkError(ram.updateAccessKey(new $Ram.UpdateAccessKeyRequest({ userName: 'alice', userAccessKeyId: key.id, status: 'Off' }))),
      ).toMatchObject({ code: 'InvalidParameter.Status', statusCode: 400 });
      await ram.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'alice', userAccessKeyId: key.id }));
      expect(emu.state.accessKeysOf('alice')).toEqual([]);
    });

    it('allows 2 AccessKeys per user', () => {
      emu.state.seedConsoleUser('alice', 'Alice');
      emu.state.attachAccessKey('alice');
      emu.state.attachAccessKey('alice');
      expect(() => emu.state.attachAccessKey('alice')).toThrow(expect.objectContaining({ code: 'LimitExceeded.User.AccessKey' }));
    });

    it('creates, reads, updates and deletes a login profile', async () => {
      emu.state.seedConsoleUser('alice', 'Alice');
      const ram = ramClient(emu);
      const created = await ram.createLoginProfile(
        new $Ram.CreateLoginProfileRequest({ userName: 'alice', password: 'Emulat0r!pass', passwordResetRequired: true }),
      );
      expect(created.body?.loginProfile).toMatchObject({ userName: 'alice', passwordResetRequired: true, MFABindRequired: false });
      expect(JSON.stringify(created.body)).not.toContain('Emulat0r!pass');
      expect(
        await sdkError(ram.createLoginProfile(new $Ram.CreateLoginProfileRequest({ userName: 'alice', password: 'x' }))),
      ).toMatchObject({ code: 'EntityAlreadyExists.User.LoginProfile', statusCode: 409 });
      await ram.updateLoginProfile(new $Ram.UpdateLoginProfileRequest({ userName: 'alice', MFABindRequired: true }));
      const read = await ram.getLoginProfile(new $Ram.GetLoginProfileRequest({ userName: 'alice' }));
      expect(read.body?.loginProfile).toMatchObject({ passwordResetRequired: true, MFABindRequired: true });
      await ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest({ userName: 'alice' }));
      expect(await sdkError(ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest({ userName: 'alice' })))).toMatchObject({
        code: 'EntityNotExist.User.LoginProfile',
      });
    });

    it('lists the policies attached to a user', async () => {
      emu.state.seedConsoleUser('alice', 'Alice');
      emu.state.attachPolicy('alice', 'AdministratorAccess');
      const res = await ramClient(emu).listPoliciesForUser(new $Ram.ListPoliciesForUserRequest({ userName: 'alice' }));
      expect(res.body?.policies?.policy).toEqual([
        expect.objectContaining({ policyName: 'AdministratorAccess', policyType: 'System' }),
      ]);
    });
  });
});
