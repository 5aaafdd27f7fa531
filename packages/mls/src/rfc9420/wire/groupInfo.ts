import type { Reader, Writer } from "../codec/index.js";
import { decodeExtensions, type Extension, encodeExtensions } from "./extension.js";
import { decodeGroupContext, encodeGroupContext, type GroupContext } from "./groupContext.js";

/** §12.4.3 GroupInfo: what a joiner needs of the group, signed by a member. */
export interface GroupInfo {
  readonly groupContext: GroupContext;
  readonly extensions: readonly Extension[];
  readonly confirmationTag: Uint8Array;
  readonly signer: number;
  readonly signature: Uint8Array;
}

export function decodeGroupInfo(r: Reader): GroupInfo {
  return {
    groupContext: decodeGroupContext(r),
    extensions: decodeExtensions(r, "GroupInfo.extensions"),
    confirmationTag: r.opaque("GroupInfo.confirmation_tag"),
    signer: r.uint32("GroupInfo.signer"),
    signature: r.opaque("GroupInfo.signature"),
  };
}

/** §12.4.3 GroupInfoTBS: the group info without its signature. */
export function encodeGroupInfoTbs(w: Writer, g: Omit<GroupInfo, "signature">): void {
  encodeGroupContext(w, g.groupContext);
  encodeExtensions(w, g.extensions);
  w.opaque(g.confirmationTag);
  w.uint32(g.signer);
}

export function encodeGroupInfo(w: Writer, g: GroupInfo): void {
  encodeGroupInfoTbs(w, g);
  w.opaque(g.signature);
}
