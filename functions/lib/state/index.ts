export { FileStateStore } from './FileStateStore';
export { MemoryStateStore } from './MemoryStateStore';
export { StateConflictError, StateCorruptError, StateError, StateIoError, StateKeyError, StateValueError } from './errors';
