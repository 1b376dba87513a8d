/**
 * The RAM 2015-05-01 actions the emulator implements. Each returns the response body without
 * `RequestId`, shaped so the SDK's response models accept it (lists wrapped: `Groups.Group[]`).
 */
import { ACCESS_KEY_STATUS, type AccessKeyStatus, type StoredLoginProfile } from './attachments';
import { RamEntityError, ramError } from './errors';
import type { RpcParams } from './openapiParams';
import type { EmulatorState, StoredGroup, StoredUser } from './store';

export interface ActionContext {
  state: EmulatorState;
  params: RpcParams;
  /** The AccessKey that signed the request: "the caller's own keys" when UserName is omitted. */
  callerAccessKeyId: string;
}

type Body = Record<string, unknown>;
export interface ActionSpec {
  write: boolean;
  run(ctx: ActionContext): Body;
}

const user = (u: StoredUser): Body => ({
  UserId: u.id,
  UserName: u.userName,
  DisplayName: u.displayName,
  CreateDate: u.createDate,
  UpdateDate: u.updateDate,
});

const group = (g: StoredGroup): Body => ({
  GroupId: g.id,
  GroupName: g.name,
  Comments: g.comments,
  CreateDate: g.createDate,
  UpdateDate: g.updateDate,
});

const loginProfile = (userName: string, p: StoredLoginProfile): Body => ({
  UserName: userName,
  PasswordResetRequired: p.passwordResetRequired,
  MFABindRequired: p.mfaBindRequired,
  CreateDate: p.createDate,
});

const read = (run: ActionSpec['run']): ActionSpec => ({ write: false, run });
const write = (run: ActionSpec['run']): ActionSpec => ({ write: true, run });

/** Without UserName, RAM acts on the caller's own keys, which are never a synced user's. */
function keyOwner({ state, params }: ActionContext): string {
  const userName = params.optional('UserName');
  if (userName === undefined) throw ramError('EntityNotExist.User.AccessKey', 'The AccessKey does not exist for the caller.');
  return state.requireUser(userName).userName;
}

function keyStatus(params: RpcParams): AccessKeyStatus {
  const status = params.required('Status');
  if (status !== ACCESS_KEY_STATUS.active && status !== ACCESS_KEY_STATUS.inactive) {
    throw new RamEntityError('InvalidParameter.Status', 400, 'The parameter Status must be Active or Inactive.');
  }
  return status;
}

export const ACTIONS: Record<string, ActionSpec> = {
  GetUser: read(({ state, params }) => ({ User: user(state.requireUser(params.required('UserName'))) })),

  ListUsers: read(({ state, params }) => {
    const { items, ...paging } = params.page(state.userList(), 1000);
    return { ...paging, Users: { User: items.map(user) } };
  }),

  CreateGroup: write(({ state, params }) => {
    const name = params.entityName('GroupName');
    return { Group: group(state.createGroup(name, params.text('Comments') ?? '')) };
  }),

  GetGroup: read(({ state, params }) => {
    const found = state.groupByName(params.entityName('GroupName'));
    if (!found) throw ramError('EntityNotExist.Group', 'The group does not exist.');
    return { Group: group(found) };
  }),

  UpdateGroup: write(({ state, params }) => {
    const name = params.entityName('GroupName');
    const newName = params.entityName('NewGroupName', true);
    const newComments = params.text('NewComments');
    return {
      Group: group(
        state.updateGroup(name, {
          ...(newName !== undefined ? { newName } : {}),
          ...(newComments !== undefined ? { newComments } : {}),
        }),
      ),
    };
  }),

  DeleteGroup: write(({ state, params }) => {
    state.deleteGroup(params.entityName('GroupName'));
    return {};
  }),

  ListGroups: read(({ state, params }) => {
    const { items, ...paging } = params.page(state.groups(), 100); // ListGroups allows 1-100
    return { ...paging, Groups: { Group: items.map(group) } };
  }),

  AddUserToGroup: write(({ state, params }) => {
    state.addUserToGroup(params.required('UserName'), params.entityName('GroupName'));
    return {};
  }),

  RemoveUserFromGroup: write(({ state, params }) => {
    state.removeUserFromGroup(params.required('UserName'), params.entityName('GroupName'));
    return {};
  }),

  ListGroupsForUser: read(({ state, params }) => ({
    Groups: {
      Group: state.groupsForUser(params.required('UserName')).map(({ group: g, joinDate }) => ({
        GroupName: g.name,
        GroupId: g.id,
        Comments: g.comments,
        JoinDate: joinDate,
      })),
    },
  })),

  ListUsersForGroup: read(({ state, params }) => {
    const members = state.usersForGroup(params.entityName('GroupName'));
    const { items, ...paging } = params.page(members, 1000);
    return {
      ...paging,
      Users: {
        User: items.map(({ user: u, joinDate }) => ({ UserName: u.userName, DisplayName: u.displayName, JoinDate: joinDate })),
      },
    };
  }),

  ListAccessKeys: read(({ state, params, callerAccessKeyId }) => {
    const userName = params.optional('UserName');
    const keys =
      userName === undefined
        ? [{ AccessKeyId: callerAccessKeyId, Status: ACCESS_KEY_STATUS.active }]
        : state.accessKeysOf(userName).map((k) => ({ AccessKeyId: k.id, Status: k.status, CreateDate: k.createDate }));
    return { AccessKeys: { AccessKey: keys } };
  }),

  UpdateAccessKey: write((ctx) => {
    const keyId = ctx.params.required('UserAccessKeyId');
    const status = keyStatus(ctx.params);
    ctx.state.updateAccessKey(keyOwner(ctx), keyId, status);
    return {};
  }),

  DeleteAccessKey: write((ctx) => {
    const keyId = ctx.params.required('UserAccessKeyId');
    ctx.state.deleteAccessKey(keyOwner(ctx), keyId);
    return {};
  }),

  GetLoginProfile: read(({ state, params }) => {
    const u = state.requireUser(params.required('UserName'));
    return { LoginProfile: loginProfile(u.userName, state.loginProfileOf(u.userName)) };
  }),

  CreateLoginProfile: write(({ state, params }) => {
    const u = state.requireUser(params.required('UserName'));
    params.required('Password'); // mandatory, and never stored or echoed
    const profile = state.createLoginProfile(u.userName, optionalFlags(params));
    return { LoginProfile: loginProfile(u.userName, profile) };
  }),

  UpdateLoginProfile: write(({ state, params }) => {
    const u = state.requireUser(params.required('UserName'));
    state.updateLoginProfile(u.userName, optionalFlags(params));
    return {};
  }),

  DeleteLoginProfile: write(({ state, params }) => {
    state.deleteLoginProfile(params.required('UserName'));
    return {};
  }),

  ListPoliciesForUser: read(({ state, params }) => ({
    Policies: {
      Policy: state.policiesOf(params.required('UserName')).map((p) => ({
        PolicyName: p.policyName,
        PolicyType: p.policyType,
        Description: p.description,
        DefaultVersion: p.defaultVersion,
        AttachDate: p.attachDate,
      })),
    },
  })),
};

function optionalFlags(params: RpcParams): { passwordResetRequired?: boolean; mfaBindRequired?: boolean } {
  const reset = params.bool('PasswordResetRequired');
  const mfa = params.bool('MFABindRequired');
  return { ...(reset !== undefined ? { passwordResetRequired: reset } : {}), ...(mfa !== undefined ? { mfaBindRequired: mfa } : {}) };
}
