/**
 * The one door to the engine, ts-mls (pinned exactly in package.json). Everything in @parley/mls that needs
 * ts-mls imports it from here, so moving to another engine version touches this file and the codec's
 * ENGINE_VERSION, and nothing else in Parley sees ts-mls at all.
 */
export {
  acceptAll,
  type Ciphersuite,
  type CiphersuiteImpl,
  type CiphersuiteName,
  type ClientState,
  type Credential,
  type CryptoProvider,
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
  type Extension,
  emptyPskIndex,
  encodeGroupState,
  encodeMlsMessage,
  type GroupInfo,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type IncomingMessageAction,
  type IncomingMessageCallback,
  joinGroup,
  joinGroupExternal,
  type KeyPackage,
  type LeafNode,
  type MLSMessage,
  makePskIndex,
  mlsExporter,
  type PrivateKeyPackage,
  type Proposal,
  type ProposalWithSender,
  type PublicMessage,
  processMessage,
  proposeExternal,
} from "ts-mls";
export { type ClientConfig, defaultClientConfig } from "ts-mls/clientConfig.js";
export { nextEpochContext, processProposal } from "ts-mls/clientState.js";
export { getCiphersuiteNameFromId } from "ts-mls/crypto/ciphersuite.js";
export { extensionTypeToNumber } from "ts-mls/extension.js";
export { decodeExternalSender, type ExternalSender, encodeExternalSender } from "ts-mls/externalSender.js";
export { verifyFramedContentSignature } from "ts-mls/framedContent.js";
export { encodeGroupContext, type GroupContext } from "ts-mls/groupContext.js";
export { ratchetTreeFromExtension, verifyGroupInfoSignature } from "ts-mls/groupInfo.js";
export {
  decodeKeyPackage,
  encodeKeyPackage,
  makeKeyPackageRef,
  verifyKeyPackage,
} from "ts-mls/keyPackage.js";
export { verifyLeafNodeSignature } from "ts-mls/leafNode.js";
export { unprotectPrivateMessage } from "ts-mls/messageProtection.js";
export { protectExternalProposalPublic, unprotectPublicMessage } from "ts-mls/messageProtectionPublic.js";
export { CodecError, CryptoError, MlsError, UsageError } from "ts-mls/mlsError.js";
export type { ProposalOrRef } from "ts-mls/proposalOrRefType.js";
export {
  addLeafNode,
  decodeRatchetTree,
  encodeRatchetTree,
  type RatchetTree,
  removeLeafNode,
} from "ts-mls/ratchetTree.js";
export { createConfirmedHash, createInterimHash } from "ts-mls/transcriptHash.js";
export { treeHashRoot } from "ts-mls/treeHash.js";
export { applyUpdatePath, type UpdatePath } from "ts-mls/updatePath.js";
export { decodeWelcome, encodeWelcome } from "ts-mls/welcome.js";

/** Recorded in saved state: state encoded by one engine version is not assumed readable by another. */
export const ENGINE_VERSION = "ts-mls@1.6.4";
