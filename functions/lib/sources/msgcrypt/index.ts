export { MsgCrypt, type MsgCryptKeys } from './MsgCrypt';
export { MsgCryptError, MsgCryptConfigError, MsgCryptFailure, type MsgCryptFailureReason } from './errors';
