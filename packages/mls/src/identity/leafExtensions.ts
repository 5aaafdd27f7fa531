import { type Extension, extensionTypeToNumber } from "../engine.js";
import { DEVICE_BINDING_EXTENSION_TYPE } from "./binding.js";

/** A leaf node's extension (RFC 9420 §7.2), by its numeric type. */
export interface LeafExtension {
  readonly type: number;
  readonly data: Uint8Array;
}

export const fromEngineExtensions = (extensions: readonly Extension[]): LeafExtension[] =>
  extensions.map((e) => ({ type: extensionTypeToNumber(e.extensionType), data: e.extensionData }));

export const toEngineExtensions = (extensions: readonly LeafExtension[]): Extension[] =>
  extensions.map((e) => ({ extensionType: e.type, extensionData: e.data }));

/** The device binding among a leaf's extensions: undefined when absent or given more than once. */
export function bindingOf(extensions: readonly LeafExtension[]): Uint8Array | undefined {
  const found = extensions.filter((e) => e.type === DEVICE_BINDING_EXTENSION_TYPE);
  return found.length === 1 ? found[0]?.data : undefined;
}
