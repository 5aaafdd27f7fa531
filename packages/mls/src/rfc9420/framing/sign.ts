import { ParleyMlsError } from "../../errors.js";
import { encodeWith } from "../codec/index.js";
import type { CipherSuite } from "../crypto/cipherSuite.js";
import {
  encodeFramedContentTbs,
  encodeGroupContext,
  type FramedContent,
  type GroupContext,
  SenderType,
} from "../wire/index.js";

const LABEL = "FramedContentTBS";

/** Encoded FramedContentTBS (§6.1); member and new-member-commit senders bind the group context. */
export function framedContentTbs(
  wireFormat: number,
  content: FramedContent,
  groupContext: GroupContext,
): Uint8Array {
  const type = content.sender.senderType;
  const bindsContext = type === SenderType.member || type === SenderType.newMemberCommit;
  const context = bindsContext ? encodeWith(groupContext, encodeGroupContext) : undefined;
  return encodeWith(content, (w, c) => encodeFramedContentTbs(w, wireFormat, c, context));
}

export function signFramedContent(suite: CipherSuite, signKey: Uint8Array, tbs: Uint8Array) {
  return suite.signWithLabel(signKey, LABEL, tbs);
}

/** Refuses content whose signature is not the sender's over this TBS. */
export async function verifyFramedContent(
  suite: CipherSuite,
  publicKey: Uint8Array,
  tbs: Uint8Array,
  signature: Uint8Array,
): Promise<void> {
  if (!(await suite.verifyWithLabel(publicKey, LABEL, tbs, signature)))
    throw new ParleyMlsError("invalid", "the content's signature does not verify with the sender's key");
}

/** Refuses a message of another group or epoch than the one it is processed in. */
export function checkGroupAndEpoch(
  message: { readonly groupId: Uint8Array; readonly epoch: bigint },
  groupContext: GroupContext,
): void {
  if (!equal(message.groupId, groupContext.groupId))
    throw new ParleyMlsError("wrong-group", "the message is for another group");
  if (message.epoch !== groupContext.epoch)
    throw new ParleyMlsError(
      "wrong-epoch",
      `the message is for epoch ${message.epoch}, the group is at epoch ${groupContext.epoch}`,
    );
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
