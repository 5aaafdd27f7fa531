import { ParleyMlsError } from "../../errors.js";
import { decodeAll, encodeWith } from "../codec/index.js";
import type { CipherSuite } from "../crypto/cipherSuite.js";
import {
  type RatchetKey,
  type RatchetType,
  type SecretTree,
  senderDataKeyAndNonce,
} from "../schedule/index.js";
import {
  type AuthenticatedContent,
  ContentType,
  decodePrivateMessageContent,
  decodeSenderData,
  encodePrivateContentAad,
  encodePrivateMessageContent,
  encodeSenderData,
  encodeSenderDataAad,
  type FramedContent,
  type FramedContentAuthData,
  type GroupContext,
  type PrivateMessage,
  type PrivateMessageContent,
  type SenderData,
  SenderType,
  WireFormat,
} from "../wire/index.js";
import { checkGroupAndEpoch, framedContentTbs, signFramedContent, verifyFramedContent } from "./sign.js";

/** The epoch a PrivateMessage is protected in: its suite, GroupContext, sender_data_secret and secret tree. */
export interface PrivateFraming {
  readonly suite: CipherSuite;
  readonly groupContext: GroupContext;
  readonly senderDataSecret: Uint8Array;
  readonly secretTree: SecretTree;
}

export interface ProtectOptions {
  /** Zero-pad the plaintext to a multiple of this many bytes (0 or 1: no padding), hiding its exact size. */
  readonly paddingBlock?: number;
}

const REUSE_GUARD_SIZE = 4;

/** The signature a PrivateMessage carries (§6.1), over the TBS with wire format mls_private_message. */
export function signPrivateContent(f: PrivateFraming, signKey: Uint8Array, content: FramedContent) {
  return signFramedContent(
    f.suite,
    signKey,
    framedContentTbs(WireFormat.privateMessage, content, f.groupContext),
  );
}

/**
 * Encrypts signed content from a member (§6.3): the content under the sender's next ratchet key, with a
 * fresh reuse guard XORed into the nonce, then the sender data under a key bound to the ciphertext's sample.
 */
export function protectPrivateMessage(
  f: PrivateFraming,
  content: FramedContent,
  auth: FramedContentAuthData,
  options: ProtectOptions = {},
): PrivateMessage {
  if (content.sender.senderType !== SenderType.member)
    throw new ParleyMlsError("usage", "only a member sends a PrivateMessage");
  checkOwnContent(content, f.groupContext);
  const leafIndex = content.sender.leafIndex;
  const key = f.secretTree.next(leafIndex, ratchetType(content.contentType));
  const reuseGuard = f.suite.randomBytes(REUSE_GUARD_SIZE);
  const header = {
    groupId: content.groupId,
    epoch: content.epoch,
    contentType: content.contentType,
    authenticatedData: content.authenticatedData,
  };
  const plaintext = paddedContent(content, auth, options.paddingBlock ?? 0);
  const aad = encodeWith(header, encodePrivateContentAad);
  const ciphertext = f.suite.seal(key.key, guardedNonce(key, reuseGuard), aad, plaintext);
  erase(key);
  const senderData: SenderData = { leafIndex, generation: key.generation, reuseGuard };
  const sd = senderDataKeyAndNonce(f.suite, f.senderDataSecret, ciphertext);
  const encryptedSenderData = f.suite.seal(
    sd.key,
    sd.nonce,
    encodeWith(header, encodeSenderDataAad),
    encodeWith(senderData, encodeSenderData),
  );
  return { ...header, encryptedSenderData, ciphertext };
}

/**
 * Decrypts and verifies a PrivateMessage (§6.3). `signer` gives a leaf's signature key (undefined when the
 * leaf is blank). The sender's generation is consumed only after the content decrypted, decoded and
 * verified, so a forged or corrupted message leaves the secret tree able to open the genuine one.
 */
export async function unprotectPrivateMessage(
  f: PrivateFraming,
  message: PrivateMessage,
  signer: (leafIndex: number) => Uint8Array | undefined,
): Promise<AuthenticatedContent> {
  checkGroupAndEpoch(message, f.groupContext);
  const { leafIndex, generation, reuseGuard } = openSenderData(f, message);
  const type = ratchetType(message.contentType);
  const key = f.secretTree.peek(leafIndex, type, generation);
  const plaintext = openContent(f.suite, key, reuseGuard, message);
  erase(key);
  const body = decodeAll(plaintext, (r) => decodePrivateMessageContent(r, message.contentType), "content");
  const { auth, padding: _, ...rest } = body;
  const content = {
    groupId: message.groupId,
    epoch: message.epoch,
    sender: { senderType: SenderType.member, leafIndex },
    authenticatedData: message.authenticatedData,
    ...rest,
  } as FramedContent;
  const publicKey = signer(leafIndex);
  if (!publicKey) throw new ParleyMlsError("invalid", `leaf ${leafIndex} has no member to have sent this`);
  const tbs = framedContentTbs(WireFormat.privateMessage, content, f.groupContext);
  await verifyFramedContent(f.suite, publicKey, tbs, auth.signature);
  erase(f.secretTree.keyFor(leafIndex, type, generation));
  return { wireFormat: WireFormat.privateMessage, content, auth };
}

function openSenderData(f: PrivateFraming, message: PrivateMessage): SenderData {
  const sd = senderDataKeyAndNonce(f.suite, f.senderDataSecret, message.ciphertext);
  const aad = encodeWith(message, encodeSenderDataAad);
  let bytes: Uint8Array;
  try {
    bytes = f.suite.open(sd.key, sd.nonce, aad, message.encryptedSenderData);
  } catch {
    throw new ParleyMlsError("invalid", "the sender data does not decrypt under this epoch's key");
  }
  return decodeAll(bytes, decodeSenderData, "SenderData");
}

function openContent(
  suite: CipherSuite,
  key: RatchetKey,
  reuseGuard: Uint8Array,
  message: PrivateMessage,
): Uint8Array {
  const aad = encodeWith(message, encodePrivateContentAad);
  try {
    return suite.open(key.key, guardedNonce(key, reuseGuard), aad, message.ciphertext);
  } catch {
    throw new ParleyMlsError(
      "invalid",
      `the content does not decrypt under generation ${key.generation}'s key`,
    );
  }
}

/** §6.3.1: the first 4 nonce bytes XORed with the reuse guard. */
function guardedNonce(key: RatchetKey, reuseGuard: Uint8Array): Uint8Array {
  const nonce = key.nonce.slice();
  for (let i = 0; i < REUSE_GUARD_SIZE; i++) nonce[i] = (nonce[i] ?? 0) ^ (reuseGuard[i] ?? 0);
  return nonce;
}

function paddedContent(content: FramedContent, auth: FramedContentAuthData, block: number): Uint8Array {
  if (!Number.isInteger(block) || block < 0 || block > 0xffff)
    throw new ParleyMlsError("usage", `padding block ${block} out of range`);
  const unpadded = { ...content, auth, padding: 0 } as PrivateMessageContent;
  const size = encodeWith(unpadded, encodePrivateMessageContent).length;
  const padding = block > 1 ? (block - (size % block)) % block : 0;
  return encodeWith({ ...unpadded, padding }, encodePrivateMessageContent);
}

function ratchetType(contentType: number): RatchetType {
  return contentType === ContentType.application ? "application" : "handshake";
}

function checkOwnContent(content: FramedContent, groupContext: GroupContext): void {
  try {
    checkGroupAndEpoch(content, groupContext);
  } catch (err) {
    throw new ParleyMlsError("usage", `cannot protect: ${(err as Error).message}`);
  }
}

function erase(key: RatchetKey): void {
  key.key.fill(0);
  key.nonce.fill(0);
}
