import type { Reader, Writer } from "../codec/index.js";
import { PskType, ResumptionPskUsage } from "./registry.js";

/** §8.4 PreSharedKeyID: an external PSK by id, or a resumption PSK by group and epoch; with a fresh nonce. */
export type PreSharedKeyId = (
  | { readonly pskType: typeof PskType.external; readonly pskId: Uint8Array }
  | {
      readonly pskType: typeof PskType.resumption;
      readonly usage: number;
      readonly pskGroupId: Uint8Array;
      readonly pskEpoch: bigint;
    }
) & { readonly pskNonce: Uint8Array };

function decodeUsage(r: Reader): number {
  const usage = r.uint8("PreSharedKeyID.usage");
  if (usage < ResumptionPskUsage.application || usage > ResumptionPskUsage.branch) {
    r.fail("PreSharedKeyID.usage", `unknown resumption usage ${usage}`);
  }
  return usage;
}

export function decodePreSharedKeyId(r: Reader): PreSharedKeyId {
  const pskType = r.uint8("PreSharedKeyID.psktype");
  if (pskType === PskType.external) {
    return {
      pskType,
      pskId: r.opaque("PreSharedKeyID.psk_id"),
      pskNonce: r.opaque("PreSharedKeyID.psk_nonce"),
    };
  }
  if (pskType === PskType.resumption) {
    return {
      pskType,
      usage: decodeUsage(r),
      pskGroupId: r.opaque("PreSharedKeyID.psk_group_id"),
      pskEpoch: r.uint64("PreSharedKeyID.psk_epoch"),
      pskNonce: r.opaque("PreSharedKeyID.psk_nonce"),
    };
  }
  return r.fail("PreSharedKeyID.psktype", `unknown PSK type ${pskType}`);
}

export function encodePreSharedKeyId(w: Writer, psk: PreSharedKeyId): void {
  w.uint8(psk.pskType);
  if (psk.pskType === PskType.external) {
    w.opaque(psk.pskId);
  } else {
    w.uint8(psk.usage);
    w.opaque(psk.pskGroupId);
    w.uint64(psk.pskEpoch);
  }
  w.opaque(psk.pskNonce);
}
