export { FileSource, createFileSource } from './FileSource';
export { FileSourceError } from './errors';
export { parseFileSourceConfig, type FileSourceConfig } from './config';
export { FILE_FORMATS, type FileFormat } from './load';
