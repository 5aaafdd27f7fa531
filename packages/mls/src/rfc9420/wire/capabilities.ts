import type { Reader, Writer } from "../codec/index.js";

/** §7.2: what a client supports. Unknown and GREASE values are kept as they came. */
export interface Capabilities {
  readonly versions: readonly number[];
  readonly cipherSuites: readonly number[];
  readonly extensions: readonly number[];
  readonly proposals: readonly number[];
  readonly credentials: readonly number[];
}

export const readUint16List = (r: Reader, field: string): number[] => r.vector(field, (x) => x.uint16(field));

export function writeUint16List(w: Writer, values: readonly number[]): void {
  w.vector(values, (x, v) => x.uint16(v));
}

export function decodeCapabilities(r: Reader): Capabilities {
  return {
    versions: readUint16List(r, "Capabilities.versions"),
    cipherSuites: readUint16List(r, "Capabilities.cipher_suites"),
    extensions: readUint16List(r, "Capabilities.extensions"),
    proposals: readUint16List(r, "Capabilities.proposals"),
    credentials: readUint16List(r, "Capabilities.credentials"),
  };
}

export function encodeCapabilities(w: Writer, c: Capabilities): void {
  writeUint16List(w, c.versions);
  writeUint16List(w, c.cipherSuites);
  writeUint16List(w, c.extensions);
  writeUint16List(w, c.proposals);
  writeUint16List(w, c.credentials);
}
