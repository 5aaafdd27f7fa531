import { decodeKeyPackage, decodeRatchetTree, type KeyPackage } from "../engine.js";
import { decodeExact, decodeMessage } from "../message.js";

/**
 * A key package given either as an MLSMessage or bare. The two forms can share their first four bytes (a bare
 * KeyPackage of suite 5 starts 0001 0005, like an MLSMessage carrying a KeyPackage), so the wrapped form is
 * tried first and the bare one only if that fails.
 */
export function decodeAnyKeyPackage(bytes: Uint8Array): KeyPackage {
  try {
    const message = decodeMessage(bytes, "key package");
    if (message.wireformat === "mls_key_package") return message.keyPackage;
  } catch {
    // not an MLSMessage: read it as a bare KeyPackage below
  }
  return decodeExact(decodeKeyPackage, bytes, "key package");
}

export function decodeTree(bytes: Uint8Array) {
  return decodeExact(decodeRatchetTree, bytes, "ratchet tree");
}
