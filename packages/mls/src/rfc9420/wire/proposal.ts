import type { Reader, Writer } from "../codec/index.js";
import { decodeExtensions, type Extension, encodeExtensions } from "./extension.js";
import { decodeKeyPackage, encodeKeyPackage, type KeyPackage } from "./keyPackage.js";
import { decodeLeafNode, encodeLeafNode, type LeafNode } from "./leafNode.js";
import { decodePreSharedKeyId, encodePreSharedKeyId, type PreSharedKeyId } from "./psk.js";
import { ProposalType } from "./registry.js";

/** §12.1.1 */
export interface Add {
  readonly keyPackage: KeyPackage;
}
/** §12.1.2 */
export interface Update {
  readonly leafNode: LeafNode;
}
/** §12.1.3 */
export interface Remove {
  readonly removed: number;
}
/** §12.1.4 */
export interface PreSharedKey {
  readonly psk: PreSharedKeyId;
}
/** §12.1.5 */
export interface ReInit {
  readonly groupId: Uint8Array;
  readonly version: number;
  readonly cipherSuite: number;
  readonly extensions: readonly Extension[];
}
/** §12.1.6 */
export interface ExternalInit {
  readonly kemOutput: Uint8Array;
}
/** §12.1.7 */
export interface GroupContextExtensions {
  readonly extensions: readonly Extension[];
}

/**
 * §12.1 Proposal. The RFC gives a proposal body no length, so a proposal of a type this engine does not know
 * cannot be skipped: decoding refuses it as "unsupported" (§12.1: a client rejects proposal types it does not
 * support). Unknown and GREASE types are tolerated where they can be: in capability lists.
 */
export type Proposal =
  | ({ readonly proposalType: typeof ProposalType.add } & Add)
  | ({ readonly proposalType: typeof ProposalType.update } & Update)
  | ({ readonly proposalType: typeof ProposalType.remove } & Remove)
  | ({ readonly proposalType: typeof ProposalType.psk } & PreSharedKey)
  | ({ readonly proposalType: typeof ProposalType.reinit } & ReInit)
  | ({ readonly proposalType: typeof ProposalType.externalInit } & ExternalInit)
  | ({ readonly proposalType: typeof ProposalType.groupContextExtensions } & GroupContextExtensions);

export const decodeAdd = (r: Reader): Add => ({ keyPackage: decodeKeyPackage(r) });
export const encodeAdd = (w: Writer, p: Add): void => encodeKeyPackage(w, p.keyPackage);
export const decodeUpdate = (r: Reader): Update => ({ leafNode: decodeLeafNode(r) });
export const encodeUpdate = (w: Writer, p: Update): void => encodeLeafNode(w, p.leafNode);
export const decodeRemove = (r: Reader): Remove => ({ removed: r.uint32("Remove.removed") });
export const encodeRemove = (w: Writer, p: Remove): void => w.uint32(p.removed);
export const decodePreSharedKey = (r: Reader): PreSharedKey => ({ psk: decodePreSharedKeyId(r) });
export const encodePreSharedKey = (w: Writer, p: PreSharedKey): void => encodePreSharedKeyId(w, p.psk);
export const decodeExternalInit = (r: Reader): ExternalInit => ({
  kemOutput: r.opaque("ExternalInit.kem_output"),
});
export const encodeExternalInit = (w: Writer, p: ExternalInit): void => w.opaque(p.kemOutput);

export function decodeReInit(r: Reader): ReInit {
  return {
    groupId: r.opaque("ReInit.group_id"),
    version: r.uint16("ReInit.version"),
    cipherSuite: r.uint16("ReInit.cipher_suite"),
    extensions: decodeExtensions(r, "ReInit.extensions"),
  };
}

export function encodeReInit(w: Writer, p: ReInit): void {
  w.opaque(p.groupId);
  w.uint16(p.version);
  w.uint16(p.cipherSuite);
  encodeExtensions(w, p.extensions);
}

export const decodeGroupContextExtensions = (r: Reader): GroupContextExtensions => ({
  extensions: decodeExtensions(r, "GroupContextExtensions.extensions"),
});
export const encodeGroupContextExtensions = (w: Writer, p: GroupContextExtensions): void =>
  encodeExtensions(w, p.extensions);

export function decodeProposal(r: Reader): Proposal {
  const proposalType = r.uint16("Proposal.proposal_type");
  switch (proposalType) {
    case ProposalType.add:
      return { proposalType, ...decodeAdd(r) };
    case ProposalType.update:
      return { proposalType, ...decodeUpdate(r) };
    case ProposalType.remove:
      return { proposalType, ...decodeRemove(r) };
    case ProposalType.psk:
      return { proposalType, ...decodePreSharedKey(r) };
    case ProposalType.reinit:
      return { proposalType, ...decodeReInit(r) };
    case ProposalType.externalInit:
      return { proposalType, ...decodeExternalInit(r) };
    case ProposalType.groupContextExtensions:
      return { proposalType, ...decodeGroupContextExtensions(r) };
    default:
      return r.fail("Proposal.proposal_type", `unknown proposal type ${proposalType}`, "unsupported");
  }
}

export function encodeProposal(w: Writer, p: Proposal): void {
  w.uint16(p.proposalType);
  switch (p.proposalType) {
    case ProposalType.add:
      encodeAdd(w, p);
      break;
    case ProposalType.update:
      encodeUpdate(w, p);
      break;
    case ProposalType.remove:
      encodeRemove(w, p);
      break;
    case ProposalType.psk:
      encodePreSharedKey(w, p);
      break;
    case ProposalType.reinit:
      encodeReInit(w, p);
      break;
    case ProposalType.externalInit:
      encodeExternalInit(w, p);
      break;
    case ProposalType.groupContextExtensions:
      encodeGroupContextExtensions(w, p);
      break;
  }
}
