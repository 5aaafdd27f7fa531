import type { MlsGroup } from "@parley/mls";
import { fromUtf8, utf8 } from "./bytes.js";

/**
 * The conversation name lives in a group context extension (private-use type), so a rename is a
 * GroupContextExtensions commit that every member authenticates like any other change.
 */
export const GROUP_NAME_EXTENSION = 0xf0a1;
export const MAX_NAME_BYTES = 256;

export interface ContextExtension {
  readonly type: number;
  readonly data: Uint8Array;
}

/*
 * The facade can commit GroupContextExtensions but has no reader for the current ones; this is the one place
 * that looks at the group context, through a narrow structural type, until @parley/mls exports an accessor.
 */
interface WithContext {
  readonly state?: {
    readonly groupContext?: {
      readonly extensions?: readonly { extensionType: unknown; extensionData: unknown }[];
    };
  };
}

export function contextExtensions(group: MlsGroup): ContextExtension[] {
  const list = (group as unknown as WithContext).state?.groupContext?.extensions ?? [];
  return list.flatMap((e) =>
    typeof e.extensionType === "number" && e.extensionData instanceof Uint8Array
      ? [{ type: e.extensionType, data: e.extensionData }]
      : [],
  );
}

export function groupName(group: MlsGroup): string {
  const ext = contextExtensions(group).find((e) => e.type === GROUP_NAME_EXTENSION);
  if (!ext) return "";
  try {
    return fromUtf8(ext.data);
  } catch {
    return "";
  }
}

export function nameExtension(name: string): ContextExtension {
  const data = utf8(name);
  if (data.length > MAX_NAME_BYTES)
    throw new RangeError(`a conversation name is at most ${MAX_NAME_BYTES} bytes`);
  return { type: GROUP_NAME_EXTENSION, data };
}

/** The context's extensions with the name replaced (external senders and others are kept as they are). */
export function renamedExtensions(group: MlsGroup, name: string): ContextExtension[] {
  return [...contextExtensions(group).filter((e) => e.type !== GROUP_NAME_EXTENSION), nameExtension(name)];
}
