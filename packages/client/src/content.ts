import { fromUtf8, utf8 } from "./bytes.js";

/**
 * What an application message carries, inside the MLS PrivateMessage: a small JSON envelope, versioned.
 * `text` is a chat line; `leave` asks the other members to remove the sender's user (a member cannot remove
 * itself by commit in MLS, and this server takes no proposals).
 */
export type Content =
  | { readonly type: "text"; readonly text: string; readonly sentAt: number }
  | { readonly type: "leave"; readonly sentAt: number };

const VERSION = 1;
const MAX_TEXT = 64 * 1024;

export function encodeContent(content: Content): Uint8Array {
  return utf8(JSON.stringify({ v: VERSION, ...content }));
}

/** Undefined for anything that is not a well-formed envelope of this version. */
export function decodeContent(bytes: Uint8Array): Content | undefined {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(bytes));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.v !== VERSION || typeof v.sentAt !== "number" || !Number.isFinite(v.sentAt)) return undefined;
  if (v.type === "text" && typeof v.text === "string" && v.text.length <= MAX_TEXT) {
    return { type: "text", text: v.text, sentAt: v.sentAt };
  }
  if (v.type === "leave") return { type: "leave", sentAt: v.sentAt };
  return undefined;
}

export const MAX_TEXT_LENGTH = MAX_TEXT;
