export {
  generateSignatureKeyPair,
  type MemberCredential,
  type SignatureKeyPair,
} from "./credential.js";
export { nodeCryptoProvider } from "./crypto/nodeCryptoProvider.js";
export { defaultCryptoProvider, getCiphersuiteFromName, getCiphersuiteImpl } from "./engine.js";
export { type MlsErrorCode, ParleyMlsError } from "./errors.js";
export { createExternalProposal, type ExternalProposalInput } from "./group/externalProposal.js";
export type { ExternalSenderInput } from "./group/externalSenders.js";
export type { Member } from "./group/members.js";
export {
  type CommitChanges,
  type CreateGroupOptions,
  MlsGroup,
  type PendingProposal,
  type ProcessResult,
  type StagedCommit,
} from "./group/mlsGroup.js";
export type { GroupOptions } from "./group/options.js";
export type { HandshakeValidator, IncomingHandshake } from "./group/process.js";
export { decodeGroup, encodeGroup, STATE_FORMAT_VERSION } from "./group/stateCodec.js";
export * from "./identity/index.js";
export {
  type ContentType,
  inspectKeyPackage,
  inspectMessage,
  type KeyPackageInfo,
  keyPackageRef,
  type MessageInfo,
  type MessageSender,
  type ProposalInfo,
  verifyKeyPackageSignature,
  type WireFormat,
} from "./inspector.js";
export {
  createKeyPackage,
  decodeKeyPackageBundle,
  encodeKeyPackageBundle,
  type KeyPackageBundle,
  type KeyPackageOptions,
  LAST_RESORT_EXTENSION_TYPE,
} from "./keyPackage.js";
export { fromBareWelcome, MAX_MESSAGE_BYTES, splitMessages, toBareWelcome } from "./message.js";
export {
  type CommitChange,
  CommitCheckError,
  type CommitRefusal,
  type IncomingLeaf,
  PublicGroupView,
  type PublicMember,
} from "./public/index.js";
export {
  CIPHERSUITES,
  type CiphersuiteName,
  type CryptoProvider,
  ciphersuiteId,
  loadSuite,
  type MlsSuite,
} from "./suite.js";
export { readVarint, writeVarint } from "./util/varint.js";
