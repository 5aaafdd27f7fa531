export { DaveError, type DaveErrorCode } from "./errors.js";
export type { Codec, MediaType } from "./media/codecs.js";
export {
  type DecryptFailure,
  type DecryptionStats,
  Decryptor,
  type DecryptResult,
} from "./media/decryptor.js";
export { type EncryptionStats, Encryptor, type EncryptResult } from "./media/encryptor.js";
export { parseProtocolFrame } from "./media/frame.js";
export { KeyRatchet } from "./media/keyRatchet.js";
export {
  type ExternalSenderPackage,
  type ProposalsPayload,
  parseExternalSenderPackage,
  parseProposalsPayload,
} from "./session/gatewayPayloads.js";
export { FileKeyStore, type KeyStore, MemoryKeyStore, type StoredKeyPair } from "./session/keyStore.js";
export type { CommitResult, CommitWelcome, MlsFailureCallback, WelcomeResult } from "./session/results.js";
export type { Roster } from "./session/roster.js";
export { Session, type SessionOptions } from "./session/session.js";
export { type Snowflake, snowflakeBytes } from "./session/snowflake.js";
export {
  generateDisplayableCode,
  verificationCode,
  voicePrivacyCode,
} from "./verification/displayableCode.js";
export { keyFingerprint, pairwiseFingerprint } from "./verification/fingerprint.js";
