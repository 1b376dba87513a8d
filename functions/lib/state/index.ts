export { FileStateStore } from './FileStateStore';
export { MemoryStateStore } from './MemoryStateStore';
export { StateCorruptError, StateError, StateIoError, StateKeyError, StateValueError } from './errors';
