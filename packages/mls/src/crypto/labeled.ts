import { concat, i2osp, utf8 } from "./bytes.js";
import { hkdfExpand, hkdfExtract, type NodeHashName } from "./hash.js";

const HPKE_V1 = utf8("HPKE-v1");

/** RFC 9180 §4 LabeledExtract / LabeledExpand, bound to one suite_id and hash. */
export interface LabeledKdf {
  extract(salt: Uint8Array, label: string, ikm: Uint8Array): Uint8Array;
  expand(prk: Uint8Array, label: string, info: Uint8Array, length: number): Uint8Array;
}

export function labeledKdf(hash: NodeHashName, suiteId: Uint8Array): LabeledKdf {
  return {
    extract: (salt, label, ikm) => hkdfExtract(hash, salt, concat(HPKE_V1, suiteId, utf8(label), ikm)),
    expand: (prk, label, info, length) =>
      hkdfExpand(hash, prk, concat(i2osp(length, 2), HPKE_V1, suiteId, utf8(label), info), length),
  };
}
