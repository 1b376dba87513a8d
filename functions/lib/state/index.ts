export { FileStateStore } from './FileStateStore';
export { MemoryStateStore } from './MemoryStateStore';
export { StateConflictError, StateCorruptError, StateError, StateIoError, StateKeyError, StateValueError } from './errors';
export { LEASE_PREFIX, Leases, type Lease, type LeaseOptions, type LeaseRecord, type LeaseWait } from './lease';
