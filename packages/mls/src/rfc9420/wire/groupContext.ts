import type { Reader, Writer } from "../codec/index.js";
import { decodeExtensions, type Extension, encodeExtensions } from "./extension.js";

/** §8.1 GroupContext: the state every member agrees on in an epoch. */
export interface GroupContext {
  readonly version: number;
  readonly cipherSuite: number;
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  readonly treeHash: Uint8Array;
  readonly confirmedTranscriptHash: Uint8Array;
  readonly extensions: readonly Extension[];
}

export function decodeGroupContext(r: Reader): GroupContext {
  return {
    version: r.uint16("GroupContext.version"),
    cipherSuite: r.uint16("GroupContext.cipher_suite"),
    groupId: r.opaque("GroupContext.group_id"),
    epoch: r.uint64("GroupContext.epoch"),
    treeHash: r.opaque("GroupContext.tree_hash"),
    confirmedTranscriptHash: r.opaque("GroupContext.confirmed_transcript_hash"),
    extensions: decodeExtensions(r, "GroupContext.extensions"),
  };
}

export function encodeGroupContext(w: Writer, c: GroupContext): void {
  w.uint16(c.version);
  w.uint16(c.cipherSuite);
  w.opaque(c.groupId);
  w.uint64(c.epoch);
  w.opaque(c.treeHash);
  w.opaque(c.confirmedTranscriptHash);
  encodeExtensions(w, c.extensions);
}
