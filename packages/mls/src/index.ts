export { ParleyMlsError, type MlsErrorCode } from "./errors.js";
export { CIPHERSUITES, ciphersuiteId, loadSuite, type CiphersuiteName, type CryptoProvider, type MlsSuite } from "./suite.js";
export {
  generateSignatureKeyPair,
  type MemberCredential,
  type SignatureKeyPair,
} from "./credential.js";
export {
  createKeyPackage,
  decodeKeyPackageBundle,
  encodeKeyPackageBundle,
  LAST_RESORT_EXTENSION_TYPE,
  type KeyPackageBundle,
  type KeyPackageOptions,
} from "./keyPackage.js";
export {
  MlsGroup,
  type CommitChanges,
  type CreateGroupOptions,
  type PendingProposal,
  type ProcessResult,
  type StagedCommit,
} from "./group/mlsGroup.js";
export type { Member } from "./group/members.js";
export type { GroupOptions } from "./group/options.js";
export type { HandshakeValidator, IncomingHandshake } from "./group/process.js";
export type { ExternalSenderInput } from "./group/externalSenders.js";
export { decodeGroup, encodeGroup, STATE_FORMAT_VERSION } from "./group/stateCodec.js";
export { fromBareWelcome, MAX_MESSAGE_BYTES, toBareWelcome } from "./message.js";
export { defaultCryptoProvider } from "./engine.js";
export { nodeCryptoProvider } from "./crypto/nodeCryptoProvider.js";
