import type { Reader, Writer } from "../codec/index.js";
import { decodePreSharedKeyId, encodePreSharedKeyId, type PreSharedKeyId } from "./psk.js";

/** §12.4.3.1 GroupSecrets: what a Welcome seals to each new member. */
export interface GroupSecrets {
  readonly joinerSecret: Uint8Array;
  /** The path secret of the lowest common ancestor, when the commit had a path (PathSecret). */
  readonly pathSecret?: Uint8Array;
  readonly psks: readonly PreSharedKeyId[];
}

const readPathSecret = (r: Reader) => r.opaque("PathSecret.path_secret");

export function decodeGroupSecrets(r: Reader): GroupSecrets {
  const joinerSecret = r.opaque("GroupSecrets.joiner_secret");
  const pathSecret = r.optional("GroupSecrets.path_secret", readPathSecret);
  const psks = r.vector("GroupSecrets.psks", decodePreSharedKeyId);
  return pathSecret ? { joinerSecret, pathSecret, psks } : { joinerSecret, psks };
}

export function encodeGroupSecrets(w: Writer, g: GroupSecrets): void {
  w.opaque(g.joinerSecret);
  w.optional(g.pathSecret, (x, s) => x.opaque(s));
  w.vector(g.psks, encodePreSharedKeyId);
}
