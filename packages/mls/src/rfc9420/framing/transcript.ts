import { ParleyMlsError } from "../../errors.js";
import { encodeWith } from "../codec/index.js";
import type { CipherSuite } from "../crypto/cipherSuite.js";
import { concat } from "../crypto/encode.js";
import {
  type AuthenticatedContent,
  encodeConfirmedTranscriptHashInput,
  encodeInterimTranscriptHashInput,
} from "../wire/index.js";

/**
 * confirmed_transcript_hash (RFC 9420 §8.2): the previous interim hash followed by the commit's wire format,
 * content and signature. It covers everything the commit authenticates except its confirmation tag.
 */
export function confirmedTranscriptHash(
  suite: CipherSuite,
  interimBefore: Uint8Array,
  commit: AuthenticatedContent,
): Uint8Array {
  const input = encodeWith(commit, encodeConfirmedTranscriptHashInput);
  return suite.hash(concat(interimBefore, input));
}

/** interim_transcript_hash (§8.2): the confirmed hash followed by the commit's confirmation tag. */
export function interimTranscriptHash(
  suite: CipherSuite,
  confirmed: Uint8Array,
  confirmationTag: Uint8Array,
): Uint8Array {
  return suite.hash(concat(confirmed, encodeWith(confirmationTag, encodeInterimTranscriptHashInput)));
}

/** confirmation_tag (§6.1): MAC(confirmation_key, confirmed_transcript_hash) of the new epoch. */
export function confirmationTag(suite: CipherSuite, confirmationKey: Uint8Array, confirmed: Uint8Array) {
  return suite.mac(confirmationKey, confirmed);
}

/** Refuses a commit whose confirmation tag does not match the epoch it claims to lead to. */
export function verifyConfirmationTag(
  suite: CipherSuite,
  confirmationKey: Uint8Array,
  confirmed: Uint8Array,
  tag: Uint8Array | undefined,
): void {
  if (!tag || !suite.verifyMac(confirmationKey, tag, confirmed))
    throw new ParleyMlsError("invalid", "the commit's confirmation tag does not match the new epoch");
}
