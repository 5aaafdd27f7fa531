import type { Reader, Writer } from "../codec/index.js";
import {
  decodeFramedContent,
  decodeFramedContentAuthData,
  encodeFramedContent,
  encodeFramedContentAuthData,
  type FramedContent,
  type FramedContentAuthData,
} from "./framedContent.js";
import { SenderType } from "./registry.js";

/** §6.2 PublicMessage: signed, unencrypted content; a member sender adds a membership tag. */
export interface PublicMessage {
  readonly content: FramedContent;
  readonly auth: FramedContentAuthData;
  readonly membershipTag?: Uint8Array;
}

export function decodePublicMessage(r: Reader): PublicMessage {
  const content = decodeFramedContent(r);
  const auth = decodeFramedContentAuthData(r, content.contentType);
  if (content.sender.senderType !== SenderType.member) return { content, auth };
  return { content, auth, membershipTag: r.opaque("PublicMessage.membership_tag") };
}

export function encodePublicMessage(w: Writer, m: PublicMessage): void {
  encodeFramedContent(w, m.content);
  encodeFramedContentAuthData(w, m.auth, m.content.contentType);
  if (m.content.sender.senderType !== SenderType.member) return;
  if (!m.membershipTag) w.fail("PublicMessage.membership_tag", "a member's message needs a membership tag");
  w.opaque(m.membershipTag);
}
