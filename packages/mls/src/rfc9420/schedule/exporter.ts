import type { CipherSuite } from "../crypto/cipherSuite.js";

/**
 * MLS-Exporter (RFC 9420 §8.5): a secret for the application, bound to a label and a context, from which no
 * other epoch secret can be recovered.
 */
export function mlsExporter(
  suite: CipherSuite,
  exporterSecret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const secret = suite.deriveSecret(exporterSecret, label);
  return suite.expandWithLabel(secret, "exported", suite.hash(context), length);
}
