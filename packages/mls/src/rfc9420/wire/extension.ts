import type { Reader, Writer } from "../codec/index.js";

/** §13.4: an extension as it travels; unknown types are kept whole (see typedExtensions.ts for the known ones). */
export interface Extension {
  readonly extensionType: number;
  readonly extensionData: Uint8Array;
}

export function decodeExtension(r: Reader): Extension {
  return {
    extensionType: r.uint16("Extension.extension_type"),
    extensionData: r.opaque("Extension.extension_data"),
  };
}

export function encodeExtension(w: Writer, e: Extension): void {
  w.uint16(e.extensionType);
  w.opaque(e.extensionData);
}

export const decodeExtensions = (r: Reader, field: string): Extension[] => r.vector(field, decodeExtension);

export function encodeExtensions(w: Writer, extensions: readonly Extension[]): void {
  w.vector(extensions, encodeExtension);
}
