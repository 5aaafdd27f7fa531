import { ParleyMlsError } from "../../errors.js";
import { decodeAll, encodeWith } from "../codec/index.js";
import type { CipherSuite } from "../crypto/index.js";
import { welcomeKeyAndNonce } from "../schedule/index.js";
import { decodeGroupInfo, encodeGroupInfo, encodeGroupInfoTbs, type GroupInfo } from "../wire/index.js";

const EMPTY = new Uint8Array(0);

/** §12.4.3.1: the GroupInfo sealed under the welcome key and nonce. */
export function openGroupInfo(suite: CipherSuite, welcomeSecret: Uint8Array, sealed: Uint8Array): GroupInfo {
  const { key, nonce } = welcomeKeyAndNonce(suite, welcomeSecret);
  return decodeAll(suite.open(key, nonce, EMPTY, sealed), decodeGroupInfo, "GroupInfo");
}

export function sealGroupInfo(
  suite: CipherSuite,
  welcomeSecret: Uint8Array,
  groupInfo: GroupInfo,
): Uint8Array {
  const { key, nonce } = welcomeKeyAndNonce(suite, welcomeSecret);
  return suite.seal(key, nonce, EMPTY, encodeWith(groupInfo, encodeGroupInfo));
}

/** §12.4.3: sign GroupInfoTBS with the signer's key. */
export async function signGroupInfo(
  suite: CipherSuite,
  signKey: Uint8Array,
  tbs: Omit<GroupInfo, "signature">,
): Promise<GroupInfo> {
  const signature = await suite.signWithLabel(signKey, "GroupInfoTBS", encodeWith(tbs, encodeGroupInfoTbs));
  return { ...tbs, signature };
}

export async function verifyGroupInfoSignature(
  suite: CipherSuite,
  signerKey: Uint8Array,
  groupInfo: GroupInfo,
): Promise<void> {
  const tbs = encodeWith(groupInfo, encodeGroupInfoTbs);
  if (!(await suite.verifyWithLabel(signerKey, "GroupInfoTBS", tbs, groupInfo.signature)))
    throw new ParleyMlsError(
      "invalid",
      `GroupInfo signature does not verify for signer leaf ${groupInfo.signer}`,
    );
}

/** §6.1: confirmation_tag = MAC(confirmation_key, confirmed_transcript_hash). */
export function verifyConfirmationTag(
  suite: CipherSuite,
  confirmationKey: Uint8Array,
  groupInfo: GroupInfo,
): void {
  const transcript = groupInfo.groupContext.confirmedTranscriptHash;
  if (!suite.verifyMac(confirmationKey, groupInfo.confirmationTag, transcript))
    throw new ParleyMlsError(
      "invalid",
      "GroupInfo confirmation tag does not match the epoch's confirmation key",
    );
}
