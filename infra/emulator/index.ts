/** The RAM emulator: `startRamEmulator` and the types a test or the local stack needs. */
export { startRamEmulator } from './RamEmulator';
export { EmulatorState, RAM_QUOTAS } from './store';
export type { StoredUser, StoredGroup, StoredMembership } from './store';
export type { StoredAccessKey, StoredLoginProfile, StoredPolicy } from './attachments';
export type { EmulatorSnapshot, SnapshotUser, SnapshotGroup } from './snapshot';
export { DEFAULT_ACCESS_KEYS, DEFAULT_CLIENTS, FAULT_KINDS } from './types';
export type {
  EmulatorAccessKey,
  EmulatorClient,
  EmulatorCounters,
  EmulatorOptions,
  FaultKind,
  FaultOptions,
  RunningEmulator,
} from './types';
