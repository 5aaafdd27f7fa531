/**
 * The one door to the engine, ts-mls (pinned exactly in package.json). Everything in @parley/mls that needs
 * ts-mls imports it from here, so moving to another engine version touches this file and the codec's
 * ENGINE_VERSION, and nothing else in Parley sees ts-mls at all.
 */
export {
  acceptAll,
  type ClientState,
  type CryptoProvider,
  type Credential,
  type Ciphersuite,
  type CiphersuiteImpl,
  type CiphersuiteName,
  type Extension,
  type GroupInfo,
  type IncomingMessageAction,
  type IncomingMessageCallback,
  type KeyPackage,
  type LeafNode,
  type MLSMessage,
  type PrivateKeyPackage,
  type Proposal,
  type ProposalWithSender,
  type PublicMessage,
  ciphersuites,
  createApplicationMessage,
  createCommit,
  createGroup,
  createGroupInfoWithExternalPub,
  createGroupInfoWithExternalPubAndRatchetTree,
  createProposal,
  decodeGroupState,
  decodeMlsMessage,
  defaultCapabilities,
  defaultCryptoProvider,
  emptyPskIndex,
  encodeGroupState,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  joinGroupExternal,
  makePskIndex,
  mlsExporter,
  processMessage,
  proposeExternal,
} from "ts-mls";
export { defaultClientConfig, type ClientConfig } from "ts-mls/clientConfig.js";
export { getCiphersuiteNameFromId } from "ts-mls/crypto/ciphersuite.js";
export { decodeExternalSender, encodeExternalSender, type ExternalSender } from "ts-mls/externalSender.js";
export { decodeKeyPackage, encodeKeyPackage, makeKeyPackageRef } from "ts-mls/keyPackage.js";
export { decodeRatchetTree, encodeRatchetTree } from "ts-mls/ratchetTree.js";
export { encodeWelcome, decodeWelcome } from "ts-mls/welcome.js";
export { CodecError, CryptoError, MlsError, UsageError } from "ts-mls/mlsError.js";
export { unprotectPrivateMessage } from "ts-mls/messageProtection.js";
export { unprotectPublicMessage } from "ts-mls/messageProtectionPublic.js";
export { processProposal } from "ts-mls/clientState.js";

/** Recorded in saved state: state encoded by one engine version is not assumed readable by another. */
export const ENGINE_VERSION = "ts-mls@1.6.4";
