import type { Reader, Writer } from "../codec/index.js";
import {
  decodeFramedContent,
  decodeFramedContentAuthData,
  encodeFramedContent,
  encodeFramedContentAuthData,
  type FramedContent,
  type FramedContentAuthData,
} from "./framedContent.js";

/** §6.1 AuthenticatedContent: content with its signature (and confirmation tag), as the transcript hashes it. */
export interface AuthenticatedContent {
  readonly wireFormat: number;
  readonly content: FramedContent;
  readonly auth: FramedContentAuthData;
}

export function decodeAuthenticatedContent(r: Reader): AuthenticatedContent {
  const wireFormat = r.uint16("AuthenticatedContent.wire_format");
  const content = decodeFramedContent(r);
  return { wireFormat, content, auth: decodeFramedContentAuthData(r, content.contentType) };
}

export function encodeAuthenticatedContent(w: Writer, a: AuthenticatedContent): void {
  w.uint16(a.wireFormat);
  encodeFramedContent(w, a.content);
  encodeFramedContentAuthData(w, a.auth, a.content.contentType);
}

/** §6.2 AuthenticatedContentTBM, what the membership tag covers: the encoded FramedContentTBS, then auth. */
export function encodeAuthenticatedContentTbm(
  w: Writer,
  contentTbs: Uint8Array,
  auth: FramedContentAuthData,
  contentType: number,
): void {
  w.bytes(contentTbs);
  encodeFramedContentAuthData(w, auth, contentType);
}

/** §8.2 ConfirmedTranscriptHashInput: wire format, content and signature (not the confirmation tag). */
export function encodeConfirmedTranscriptHashInput(w: Writer, a: AuthenticatedContent): void {
  w.uint16(a.wireFormat);
  encodeFramedContent(w, a.content);
  w.opaque(a.auth.signature);
}

/** §8.2 InterimTranscriptHashInput: the commit's confirmation tag. */
export function encodeInterimTranscriptHashInput(w: Writer, confirmationTag: Uint8Array): void {
  w.opaque(confirmationTag);
}
