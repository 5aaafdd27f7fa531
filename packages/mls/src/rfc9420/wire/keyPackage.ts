import type { Reader, Writer } from "../codec/index.js";
import { decodeExtensions, type Extension, encodeExtensions } from "./extension.js";
import { decodeLeafNode, encodeLeafNode, type LeafNode } from "./leafNode.js";

/** §10 KeyPackage: how a client offers to be added. */
export interface KeyPackage {
  readonly version: number;
  readonly cipherSuite: number;
  readonly initKey: Uint8Array;
  readonly leafNode: LeafNode;
  readonly extensions: readonly Extension[];
  readonly signature: Uint8Array;
}

export function decodeKeyPackage(r: Reader): KeyPackage {
  return {
    version: r.uint16("KeyPackage.version"),
    cipherSuite: r.uint16("KeyPackage.cipher_suite"),
    initKey: r.opaque("KeyPackage.init_key"),
    leafNode: decodeLeafNode(r),
    extensions: decodeExtensions(r, "KeyPackage.extensions"),
    signature: r.opaque("KeyPackage.signature"),
  };
}

/** §10 KeyPackageTBS: the key package without its signature, what the signature covers. */
export function encodeKeyPackageTbs(w: Writer, kp: Omit<KeyPackage, "signature">): void {
  w.uint16(kp.version);
  w.uint16(kp.cipherSuite);
  w.opaque(kp.initKey);
  encodeLeafNode(w, kp.leafNode);
  encodeExtensions(w, kp.extensions);
}

export function encodeKeyPackage(w: Writer, kp: KeyPackage): void {
  encodeKeyPackageTbs(w, kp);
  w.opaque(kp.signature);
}
