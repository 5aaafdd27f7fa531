// @snazzah/davey's names, so that an npm alias of this package can stand in for davey (DAVE_PROTOCOL_VERSION
// comes from ./voice/opcodes.js, with davey's value).
export {
  Codec,
  DAVESession,
  type DaveSession,
  type DaveSessionOptions,
  DEBUG_BUILD,
  type DecryptionStats,
  default,
  type EncryptionStats,
  generateDisplayableCode,
  generateKeyFingerprint,
  generateP256Keypair,
  generatePairwiseFingerprint,
  MediaType,
  ProposalsOperationType,
  type ProposalsResult,
  SessionStatus,
  type SigningKeyPair,
  VERSION,
} from "./davey/index.js";
export { DaveError, type DaveErrorCode, TrustRefusal, type TrustRefusalReason } from "./errors.js";
export type { Codec as CodecName, MediaType as MediaKind } from "./media/codecs.js";
export {
  type DecryptFailure,
  type DecryptionStats as DecryptorStats,
  Decryptor,
  type DecryptResult,
} from "./media/decryptor.js";
export { type EncryptionStats as EncryptorStats, Encryptor, type EncryptResult } from "./media/encryptor.js";
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
export { verificationCode, voicePrivacyCode } from "./verification/displayableCode.js";
export { keyFingerprint, pairwiseFingerprint } from "./verification/fingerprint.js";
export type {
  VoiceDowngradeRefusal,
  VoiceFailure,
  VoiceSessionEvents,
  VoiceTransition,
} from "./voice/events.js";
export { DAVE_PROTOCOL_VERSION, VoiceOpcode } from "./voice/opcodes.js";
export type {
  GatewayBinaryMessage,
  GatewayJsonMessage,
  GatewayMessage,
  VoiceGatewayTransport,
} from "./voice/transport.js";
export { type VoiceDecryptResult, VoiceSession, type VoiceSessionOptions } from "./voice/voiceSession.js";
