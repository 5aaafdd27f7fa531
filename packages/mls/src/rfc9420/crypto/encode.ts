import { concat, i2osp, utf8 } from "../../crypto/bytes.js";
import { writeVarint } from "../../util/varint.js";

/**
 * The few RFC 9420 §2.1 encodings the crypto layer builds itself (KDFLabel, SignContent, EncryptContext,
 * RefHashInput): fixed-width integers and variable-length opaque vectors.
 */
export const uint16 = (n: number): Uint8Array => i2osp(n, 2);
export const uint32 = (n: number): Uint8Array => i2osp(n, 4);
export const uint64 = (n: bigint): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
};

/** `opaque data<V>`: a varint length, then the bytes. */
export const opaque = (bytes: Uint8Array): Uint8Array => concat(writeVarint(bytes.length), bytes);

/** Labels are ASCII strings in the RFC, encoded as opaque vectors of their UTF-8 bytes. */
export const mlsLabel = (label: string): Uint8Array => opaque(utf8(`MLS 1.0 ${label}`));

export { concat, utf8 };
