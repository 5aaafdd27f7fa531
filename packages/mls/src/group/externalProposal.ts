import {
  encodeMlsMessage,
  type GroupContext,
  type Proposal,
  protectExternalProposalPublic,
} from "../engine.js";
import { asMlsError } from "../errors.js";
import type { MlsSuite } from "../suite.js";
import { decodeAnyKeyPackage } from "./decode.js";

export interface ExternalProposalInput {
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  /** This sender's position in the group's external_senders extension. */
  readonly senderIndex: number;
  readonly signaturePrivateKey: Uint8Array;
  /** Add a key package (MLSMessage or bare), or remove a leaf. */
  readonly proposal: { readonly add: Uint8Array } | { readonly remove: number };
  readonly authenticatedData?: Uint8Array;
}

/**
 * A proposal from an external sender (RFC 9420 §12.1.8.1) as a PublicMessage: what a delivery service such as
 * DAVE's voice gateway sends to add or remove members. An external sender holds no group state; its
 * signature covers only the framed content, not the group context.
 */
export async function createExternalProposal(
  suite: MlsSuite,
  input: ExternalProposalInput,
): Promise<Uint8Array> {
  const proposal: Proposal =
    "add" in input.proposal
      ? { proposalType: "add", add: { keyPackage: decodeAnyKeyPackage(input.proposal.add) } }
      : { proposalType: "remove", remove: { removed: input.proposal.remove } };
  // FramedContentTBS carries the group context only for member senders, so these three fields are all
  // the engine reads from it here.
  const context = { version: "mls10", groupId: input.groupId, epoch: input.epoch } as GroupContext;
  try {
    const { publicMessage } = await protectExternalProposalPublic(
      input.signaturePrivateKey,
      context,
      input.authenticatedData ?? new Uint8Array(),
      proposal,
      { senderType: "external", senderIndex: input.senderIndex },
      suite.impl,
    );
    return encodeMlsMessage({ version: "mls10", wireformat: "mls_public_message", publicMessage });
  } catch (err) {
    throw asMlsError(err, "usage", "could not create external proposal");
  }
}
