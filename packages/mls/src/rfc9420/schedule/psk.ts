import { ParleyMlsError } from "../../errors.js";
import type { CipherSuite } from "../crypto/cipherSuite.js";
import { concat, opaque, uint16, uint64 } from "../crypto/encode.js";

/** ResumptionPSKUsage (RFC 9420 §8.6). */
export type ResumptionUsage = "application" | "reinit" | "branch";

/** PreSharedKeyID (RFC 9420 §8.4): which PSK, and the nonce that makes its use unique. */
export type PreSharedKeyId =
  | { readonly type: "external"; readonly pskId: Uint8Array; readonly pskNonce: Uint8Array }
  | {
      readonly type: "resumption";
      readonly usage: ResumptionUsage;
      readonly pskGroupId: Uint8Array;
      readonly pskEpoch: bigint;
      readonly pskNonce: Uint8Array;
    };

export interface PskInput {
  readonly id: PreSharedKeyId;
  /** The PSK's value: the external key, or the resumption_psk of the referenced epoch. */
  readonly psk: Uint8Array;
}

const USAGE: Readonly<Record<ResumptionUsage, number>> = { application: 1, reinit: 2, branch: 3 };
const MAX_PSKS = 0xffff;

export function encodePreSharedKeyId(id: PreSharedKeyId): Uint8Array {
  const body =
    id.type === "external"
      ? concat(Uint8Array.of(1), opaque(id.pskId))
      : concat(Uint8Array.of(2, USAGE[id.usage]), opaque(id.pskGroupId), uint64(id.pskEpoch));
  return concat(body, opaque(id.pskNonce));
}

/**
 * psk_secret (§8.4): each PSK is extracted, bound by ExpandWithLabel to its id and position in the list, and
 * chained into the previous step's secret; no PSK gives Nh zero bytes.
 */
export function pskSecret(suite: CipherSuite, psks: readonly PskInput[]): Uint8Array {
  if (psks.length > MAX_PSKS)
    throw new ParleyMlsError("usage", `at most ${MAX_PSKS} PSKs, got ${psks.length}`);
  const zero = new Uint8Array(suite.Nh);
  let secret: Uint8Array = zero;
  for (const [index, { id, psk }] of psks.entries()) {
    const extracted = suite.extract(zero, psk);
    const label = concat(encodePreSharedKeyId(id), uint16(index), uint16(psks.length));
    const input = suite.expandWithLabel(extracted, "derived psk", label, suite.Nh);
    secret = suite.extract(input, secret);
  }
  return secret;
}
