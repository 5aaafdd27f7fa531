import type { Reader, Writer } from "../codec/index.js";
import {
  type Content,
  decodeContentBody,
  decodeContentType,
  decodeFramedContentAuthData,
  encodeContentBody,
  encodeFramedContentAuthData,
  type FramedContentAuthData,
} from "./framedContent.js";

/** §6.3 PrivateMessage: content and sender encrypted under the epoch's secret tree. */
export interface PrivateMessage {
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  readonly contentType: Content["contentType"];
  readonly authenticatedData: Uint8Array;
  readonly encryptedSenderData: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export function decodePrivateMessage(r: Reader): PrivateMessage {
  return {
    groupId: r.opaque("PrivateMessage.group_id"),
    epoch: r.uint64("PrivateMessage.epoch"),
    contentType: decodeContentType(r, "PrivateMessage.content_type"),
    authenticatedData: r.opaque("PrivateMessage.authenticated_data"),
    encryptedSenderData: r.opaque("PrivateMessage.encrypted_sender_data"),
    ciphertext: r.opaque("PrivateMessage.ciphertext"),
  };
}

export function encodePrivateMessage(w: Writer, m: PrivateMessage): void {
  w.opaque(m.groupId);
  w.uint64(m.epoch);
  w.uint8(m.contentType);
  w.opaque(m.authenticatedData);
  w.opaque(m.encryptedSenderData);
  w.opaque(m.ciphertext);
}

/** §6.3.1 PrivateMessageContent, the plaintext of `ciphertext`: body, auth, then zero padding. */
export type PrivateMessageContent = Content & {
  readonly auth: FramedContentAuthData;
  readonly padding: number;
};

export function decodePrivateMessageContent(
  r: Reader,
  contentType: Content["contentType"],
): PrivateMessageContent {
  const body = decodeContentBody(r, contentType);
  const auth = decodeFramedContentAuthData(r, contentType);
  const padding = r.remaining;
  const zeros = r.bytes(padding, "PrivateMessageContent.padding");
  if (zeros.some((b) => b !== 0)) r.fail("PrivateMessageContent.padding", "padding must be all zero bytes");
  return { ...body, auth, padding };
}

export function encodePrivateMessageContent(w: Writer, c: PrivateMessageContent): void {
  encodeContentBody(w, c);
  encodeFramedContentAuthData(w, c.auth, c.contentType);
  w.bytes(new Uint8Array(c.padding));
}

/** §6.3.1 PrivateContentAAD: the additional data the content's AEAD binds. */
export function encodePrivateContentAad(
  w: Writer,
  m: Omit<PrivateMessage, "encryptedSenderData" | "ciphertext">,
): void {
  w.opaque(m.groupId);
  w.uint64(m.epoch);
  w.uint8(m.contentType);
  w.opaque(m.authenticatedData);
}

/** §6.3.2 SenderData: who sent it, at which generation, with the nonce's reuse guard. */
export interface SenderData {
  readonly leafIndex: number;
  readonly generation: number;
  readonly reuseGuard: Uint8Array;
}

export function decodeSenderData(r: Reader): SenderData {
  return {
    leafIndex: r.uint32("SenderData.leaf_index"),
    generation: r.uint32("SenderData.generation"),
    reuseGuard: r.bytes(4, "SenderData.reuse_guard"),
  };
}

export function encodeSenderData(w: Writer, s: SenderData): void {
  w.uint32(s.leafIndex);
  w.uint32(s.generation);
  if (s.reuseGuard.length !== 4) w.fail("SenderData.reuse_guard", "is 4 bytes");
  w.bytes(s.reuseGuard);
}

/** §6.3.2 SenderDataAAD. */
export function encodeSenderDataAad(
  w: Writer,
  m: Pick<PrivateMessage, "groupId" | "epoch" | "contentType">,
): void {
  w.opaque(m.groupId);
  w.uint64(m.epoch);
  w.uint8(m.contentType);
}
