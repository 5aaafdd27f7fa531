import { ParleyMlsError } from "../../errors.js";
import { encodeWith } from "../codec/index.js";
import type { CipherSuite } from "../crypto/cipherSuite.js";
import {
  type AuthenticatedContent,
  ContentType,
  encodeAuthenticatedContentTbm,
  type FramedContent,
  type FramedContentAuthData,
  type GroupContext,
  type PublicMessage,
  SenderType,
  WireFormat,
} from "../wire/index.js";
import { checkGroupAndEpoch, framedContentTbs, signFramedContent, verifyFramedContent } from "./sign.js";

/** The epoch a PublicMessage is framed in: its suite, GroupContext and membership_key. */
export interface PublicFraming {
  readonly suite: CipherSuite;
  readonly groupContext: GroupContext;
  /** Needed for member senders, whose messages carry a membership tag. */
  readonly membershipKey?: Uint8Array;
}

/**
 * The signature a PublicMessage carries (§6.1). A commit's confirmation tag depends on this signature
 * through the confirmed transcript hash, so signing comes first and `publicMessage` then frames the result.
 */
export function signPublicContent(f: PublicFraming, signKey: Uint8Array, content: FramedContent) {
  refuseApplication(content, "usage");
  return signFramedContent(
    f.suite,
    signKey,
    framedContentTbs(WireFormat.publicMessage, content, f.groupContext),
  );
}

/** The PublicMessage (§6.2) for signed content: a member sender's gets the membership tag. */
export function publicMessage(
  f: PublicFraming,
  content: FramedContent,
  auth: FramedContentAuthData,
): PublicMessage {
  refuseApplication(content, "usage");
  if (content.sender.senderType !== SenderType.member) return { content, auth };
  return { content, auth, membershipTag: membershipTag(f, content, auth) };
}

/**
 * Verifies a received PublicMessage (§6.2): group and epoch, the membership tag of a member sender, then the
 * signature under `signer`, the sender's signature key as the caller resolved it. Gives what the transcript
 * hash and the commit processing use.
 */
export async function unprotectPublicMessage(
  f: PublicFraming,
  message: PublicMessage,
  signer: Uint8Array,
): Promise<AuthenticatedContent> {
  const { content, auth } = message;
  checkGroupAndEpoch(content, f.groupContext);
  refuseApplication(content, "invalid");
  const tbs = framedContentTbs(WireFormat.publicMessage, content, f.groupContext);
  if (content.sender.senderType === SenderType.member) {
    const tag = message.membershipTag;
    const key = membershipKey(f);
    const tbm = encodeWith(auth, (w, a) => encodeAuthenticatedContentTbm(w, tbs, a, content.contentType));
    if (!tag || !f.suite.verifyMac(key, tag, tbm))
      throw new ParleyMlsError("invalid", "the membership tag does not match this epoch's membership key");
  }
  await verifyFramedContent(f.suite, signer, tbs, auth.signature);
  return { wireFormat: WireFormat.publicMessage, content, auth };
}

function membershipTag(f: PublicFraming, content: FramedContent, auth: FramedContentAuthData): Uint8Array {
  const tbs = framedContentTbs(WireFormat.publicMessage, content, f.groupContext);
  const tbm = encodeWith(auth, (w, a) => encodeAuthenticatedContentTbm(w, tbs, a, content.contentType));
  return f.suite.mac(membershipKey(f), tbm);
}

function membershipKey(f: PublicFraming): Uint8Array {
  if (!f.membershipKey)
    throw new ParleyMlsError("usage", "a member's PublicMessage needs the epoch's membership_key");
  return f.membershipKey;
}

/** §6.2: application data is only ever sent as a PrivateMessage. */
function refuseApplication(content: FramedContent, code: "invalid" | "usage"): void {
  if (content.contentType === ContentType.application)
    throw new ParleyMlsError(code, "application data cannot be sent as a PublicMessage");
}
