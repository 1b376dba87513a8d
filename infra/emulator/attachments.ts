/**
 * What hangs off a RAM user besides groups: AccessKeys, the console login profile, attached
 * policies and an MFA device. Keyed by user id so a rename through SCIM PUT keeps them.
 */
import { ramError } from './errors';
import { ramDate } from './ids';
import type { EmulatorStateJson } from './stateJson';

type AttachmentsJson = Pick<EmulatorStateJson, 'accessKeys' | 'loginProfiles' | 'policies' | 'mfaDevices'>;

export const ACCESS_KEY_STATUS = { active: 'Active', inactive: 'Inactive' } as const;
export type AccessKeyStatus = (typeof ACCESS_KEY_STATUS)[keyof typeof ACCESS_KEY_STATUS];

export interface StoredAccessKey {
  id: string;
  userId: string;
  status: AccessKeyStatus;
  createDate: string;
}

export interface StoredLoginProfile {
  createDate: string;
  passwordResetRequired: boolean;
  mfaBindRequired: boolean;
}

export interface StoredPolicy {
  policyName: string;
  policyType: 'System' | 'Custom';
  description: string;
  defaultVersion: string;
  attachDate: string;
}

export interface StoredMfaDevice {
  serialNumber: string;
  bindDate: string;
}

export interface LoginProfileInput {
  passwordResetRequired?: boolean;
  mfaBindRequired?: boolean;
}

export class UserAttachments {
  readonly accessKeys = new Map<string, StoredAccessKey>();
  readonly loginProfiles = new Map<string, StoredLoginProfile>();
  readonly policies = new Map<string, StoredPolicy[]>();
  readonly mfaDevices = new Map<string, StoredMfaDevice>();

  constructor(private readonly accessKeysPerUser: number) {}

  keysOf(userId: string): StoredAccessKey[] {
    return [...this.accessKeys.values()].filter((k) => k.userId === userId).map((k) => ({ ...k }));
  }

  addKey(userId: string, id: string): StoredAccessKey {
    if (this.keysOf(userId).length >= this.accessKeysPerUser) {
      throw ramError('LimitExceeded.User.AccessKey', `The user already has ${this.accessKeysPerUser} AccessKeys.`);
    }
    const key: StoredAccessKey = { id, userId, status: ACCESS_KEY_STATUS.active, createDate: ramDate() };
    this.accessKeys.set(id, key);
    return { ...key };
  }

  setKeyStatus(userId: string, keyId: string, status: AccessKeyStatus): void {
    this.ownedKey(userId, keyId).status = status;
  }

  deleteKey(userId: string, keyId: string): void {
    this.ownedKey(userId, keyId);
    this.accessKeys.delete(keyId);
  }

  loginProfileOf(userId: string): StoredLoginProfile {
    const profile = this.loginProfiles.get(userId);
    if (!profile) throw ramError('EntityNotExist.User.LoginProfile', 'The login profile of the user does not exist.');
    return { ...profile };
  }

  createLoginProfile(userId: string, input: LoginProfileInput): StoredLoginProfile {
    if (this.loginProfiles.has(userId)) {
      throw ramError('EntityAlreadyExists.User.LoginProfile', 'The login profile of the user already exists.');
    }
    const profile: StoredLoginProfile = {
      createDate: ramDate(),
      passwordResetRequired: input.passwordResetRequired ?? false,
      mfaBindRequired: input.mfaBindRequired ?? false,
    };
    this.loginProfiles.set(userId, profile);
    return { ...profile };
  }

  updateLoginProfile(userId: string, input: LoginProfileInput): void {
    const profile = this.loginProfiles.get(userId);
    if (!profile) throw ramError('EntityNotExist.User.LoginProfile', 'The login profile of the user does not exist.');
    if (input.passwordResetRequired !== undefined) profile.passwordResetRequired = input.passwordResetRequired;
    if (input.mfaBindRequired !== undefined) profile.mfaBindRequired = input.mfaBindRequired;
  }

  deleteLoginProfile(userId: string): void {
    if (!this.loginProfiles.delete(userId)) {
      throw ramError('EntityNotExist.User.LoginProfile', 'The login profile of the user does not exist.');
    }
  }

  policiesOf(userId: string): StoredPolicy[] {
    return (this.policies.get(userId) ?? []).map((p) => ({ ...p }));
  }

  attachPolicy(userId: string, policyName: string, policyType: 'System' | 'Custom'): void {
    const list = this.policies.get(userId) ?? [];
    if (list.some((p) => p.policyName === policyName && p.policyType === policyType)) {
      throw ramError('EntityAlreadyExists.User.Policy', 'The policy is already attached to the user.');
    }
    list.push({ policyName, policyType, description: '', defaultVersion: 'v1', attachDate: ramDate() });
    this.policies.set(userId, list);
  }

  detachPolicy(userId: string, policyName: string): void {
    const list = this.policies.get(userId) ?? [];
    const rest = list.filter((p) => p.policyName !== policyName);
    if (rest.length === list.length) throw ramError('EntityNotExist.User.Policy', 'The policy is not attached to the user.');
    this.policies.set(userId, rest);
  }

  bindMfa(userId: string, serialNumber: string): void {
    if (this.mfaDevices.has(userId)) {
      throw ramError('EntityAlreadyExists.User.MFADevice', 'The user already has an MFA device.');
    }
    this.mfaDevices.set(userId, { serialNumber, bindDate: ramDate() });
  }

  unbindMfa(userId: string): void {
    if (!this.mfaDevices.delete(userId)) throw ramError('EntityNotExist.User.MFADevice', 'The user has no MFA device.');
  }

  /** The SCIM/DeleteUser guard: the first attachment that blocks deleting the user, if any. */
  deleteConflictOf(userId: string): 'AccessKey' | 'Policy' | 'MFADevice' | undefined {
    if (this.keysOf(userId).length > 0) return 'AccessKey';
    if ((this.policies.get(userId) ?? []).length > 0) return 'Policy';
    if (this.mfaDevices.has(userId)) return 'MFADevice';
    return undefined;
  }

  /** Drops what goes with a deleted user (only the login profile can be left at that point). */
  forget(userId: string): void {
    this.loginProfiles.delete(userId);
    this.policies.delete(userId);
    this.mfaDevices.delete(userId);
  }

  /** Everything attached, flattened to rows keyed by user id, in insertion order. */
  toJSON(): AttachmentsJson {
    return {
      accessKeys: [...this.accessKeys.values()].map((k) => ({ ...k })),
      loginProfiles: [...this.loginProfiles].map(([userId, p]) => ({ userId, ...p })),
      policies: [...this.policies].flatMap(([userId, list]) => list.map((p) => ({ userId, ...p }))),
      mfaDevices: [...this.mfaDevices].map(([userId, d]) => ({ userId, ...d })),
    };
  }

  /** Replaces the contents with saved rows (already validated by parseStateJson). */
  restore(saved: AttachmentsJson): void {
    this.accessKeys.clear();
    this.loginProfiles.clear();
    this.policies.clear();
    this.mfaDevices.clear();
    for (const key of saved.accessKeys) this.accessKeys.set(key.id, { ...key });
    for (const { userId, ...profile } of saved.loginProfiles) this.loginProfiles.set(userId, profile);
    for (const { userId, ...policy } of saved.policies) this.policies.set(userId, [...(this.policies.get(userId) ?? []), policy]);
    for (const { userId, ...device } of saved.mfaDevices) this.mfaDevices.set(userId, device);
  }

  private ownedKey(userId: string, keyId: string): StoredAccessKey {
    const key = this.accessKeys.get(keyId);
    if (!key || key.userId !== userId) {
      throw ramError('EntityNotExist.User.AccessKey', 'The AccessKey does not exist for the user.');
    }
    return key;
  }
}
