import type { CipherSuite } from "../crypto/cipherSuite.js";

/**
 * The key and nonce that protect a PrivateMessage's sender data (RFC 9420 §6.3.2), bound to the first Nh
 * bytes of its ciphertext (all of it when shorter).
 */
export function senderDataKeyAndNonce(
  suite: CipherSuite,
  senderDataSecret: Uint8Array,
  ciphertext: Uint8Array,
): { key: Uint8Array; nonce: Uint8Array } {
  const sample = ciphertext.subarray(0, suite.Nh);
  return {
    key: suite.expandWithLabel(senderDataSecret, "key", sample, suite.Nk),
    nonce: suite.expandWithLabel(senderDataSecret, "nonce", sample, suite.Nn),
  };
}
