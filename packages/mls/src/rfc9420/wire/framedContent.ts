import type { Reader, Writer } from "../codec/index.js";
import { type Commit, decodeCommit, encodeCommit } from "./commit.js";
import { decodeProposal, encodeProposal, type Proposal } from "./proposal.js";
import { ContentType, SenderType } from "./registry.js";

/** §6 Sender: a member by leaf index, an external sender by its index in external_senders, or a new member. */
export type Sender =
  | { readonly senderType: typeof SenderType.member; readonly leafIndex: number }
  | { readonly senderType: typeof SenderType.external; readonly senderIndex: number }
  | { readonly senderType: typeof SenderType.newMemberProposal }
  | { readonly senderType: typeof SenderType.newMemberCommit };

/** §6: what a message carries, by content type. */
export type Content =
  | { readonly contentType: typeof ContentType.application; readonly applicationData: Uint8Array }
  | { readonly contentType: typeof ContentType.proposal; readonly proposal: Proposal }
  | { readonly contentType: typeof ContentType.commit; readonly commit: Commit };

/** §6 FramedContent. */
export type FramedContent = {
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  readonly sender: Sender;
  readonly authenticatedData: Uint8Array;
} & Content;

/** §6.1 FramedContentAuthData: the signature, and for a commit its confirmation tag. */
export interface FramedContentAuthData {
  readonly signature: Uint8Array;
  readonly confirmationTag?: Uint8Array;
}

export function decodeSender(r: Reader): Sender {
  const senderType = r.uint8("Sender.sender_type");
  switch (senderType) {
    case SenderType.member:
      return { senderType, leafIndex: r.uint32("Sender.leaf_index") };
    case SenderType.external:
      return { senderType, senderIndex: r.uint32("Sender.sender_index") };
    case SenderType.newMemberProposal:
    case SenderType.newMemberCommit:
      return { senderType };
    default:
      return r.fail("Sender.sender_type", `unknown sender type ${senderType}`);
  }
}

export function encodeSender(w: Writer, s: Sender): void {
  w.uint8(s.senderType);
  if (s.senderType === SenderType.member) w.uint32(s.leafIndex);
  else if (s.senderType === SenderType.external) w.uint32(s.senderIndex);
}

/** The content type byte, refused unless it is one of the three. */
export function decodeContentType(r: Reader, field: string): Content["contentType"] {
  const contentType = r.uint8(field);
  if (contentType < ContentType.application || contentType > ContentType.commit) {
    r.fail(field, `unknown content type ${contentType}`);
  }
  return contentType as Content["contentType"];
}

/** The body of a content of a known type (FramedContent's and PrivateMessageContent's select). */
export function decodeContentBody(r: Reader, contentType: Content["contentType"]): Content {
  switch (contentType) {
    case ContentType.application:
      return { contentType, applicationData: r.opaque("application_data") };
    case ContentType.proposal:
      return { contentType, proposal: decodeProposal(r) };
    case ContentType.commit:
      return { contentType, commit: decodeCommit(r) };
  }
}

export function encodeContentBody(w: Writer, c: Content): void {
  if (c.contentType === ContentType.application) w.opaque(c.applicationData);
  else if (c.contentType === ContentType.proposal) encodeProposal(w, c.proposal);
  else encodeCommit(w, c.commit);
}

export function decodeFramedContent(r: Reader): FramedContent {
  const groupId = r.opaque("FramedContent.group_id");
  const epoch = r.uint64("FramedContent.epoch");
  const sender = decodeSender(r);
  const authenticatedData = r.opaque("FramedContent.authenticated_data");
  const body = decodeContentBody(r, decodeContentType(r, "FramedContent.content_type"));
  return { groupId, epoch, sender, authenticatedData, ...body };
}

export function encodeFramedContent(w: Writer, c: FramedContent): void {
  w.opaque(c.groupId);
  w.uint64(c.epoch);
  encodeSender(w, c.sender);
  w.opaque(c.authenticatedData);
  w.uint8(c.contentType);
  encodeContentBody(w, c);
}

export function decodeFramedContentAuthData(r: Reader, contentType: number): FramedContentAuthData {
  const signature = r.opaque("FramedContentAuthData.signature");
  if (contentType !== ContentType.commit) return { signature };
  return { signature, confirmationTag: r.opaque("FramedContentAuthData.confirmation_tag") };
}

export function encodeFramedContentAuthData(w: Writer, a: FramedContentAuthData, contentType: number): void {
  w.opaque(a.signature);
  if (contentType !== ContentType.commit) return;
  if (!a.confirmationTag)
    w.fail("FramedContentAuthData.confirmation_tag", "a commit needs a confirmation tag");
  w.opaque(a.confirmationTag);
}

/**
 * §6.1 FramedContentTBS, what the sender's signature covers. `context` is the encoded GroupContext, which
 * member and new_member_commit senders bind (pass it when the sender is one of those).
 */
export function encodeFramedContentTbs(
  w: Writer,
  wireFormat: number,
  content: FramedContent,
  context?: Uint8Array,
): void {
  w.uint16(1);
  w.uint16(wireFormat);
  encodeFramedContent(w, content);
  const type = content.sender.senderType;
  if (type !== SenderType.member && type !== SenderType.newMemberCommit) return;
  if (!context)
    w.fail("FramedContentTBS.context", "member and new_member_commit senders sign the group context");
  w.bytes(context);
}
