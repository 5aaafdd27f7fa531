import { readVarint, splitMessages } from "@parley/mls";
import { DaveError } from "../errors.js";

/*
 * The binary voice-gateway payloads the MLS side of DAVE reads (dave-notes "Voice gateway opcodes"). MLS
 * vectors use RFC 9420 variable-length integers, minimal encoding required.
 */

/** op 25: ExternalSender { opaque signature_key<V>; Credential credential } with a basic credential. */
export interface ExternalSenderPackage {
  readonly signatureKey: Uint8Array;
  readonly identity: Uint8Array;
  /** The payload as received: Welcomes must carry exactly this sender. */
  readonly bytes: Uint8Array;
}

const BASIC_CREDENTIAL = 1;

function vector(bytes: Uint8Array, offset: number, what: string): { value: Uint8Array; next: number } {
  let header: { value: number; next: number };
  try {
    header = readVarint(bytes, offset, what);
  } catch (err) {
    throw new DaveError("malformed", (err as Error).message, { cause: err });
  }
  const end = header.next + header.value;
  if (end > bytes.length) throw new DaveError("malformed", `${what} is cut short`);
  return { value: bytes.subarray(header.next, end), next: end };
}

export function parseExternalSenderPackage(bytes: Uint8Array): ExternalSenderPackage {
  const key = vector(bytes, 0, "external sender signature key");
  if (key.next + 2 > bytes.length)
    throw new DaveError("malformed", "external sender credential is cut short");
  const credentialType = ((bytes[key.next] as number) << 8) | (bytes[key.next + 1] as number);
  if (credentialType !== BASIC_CREDENTIAL) {
    throw new DaveError("invalid", `external sender credential type ${credentialType}; DAVE uses basic (1)`);
  }
  const identity = vector(bytes, key.next + 2, "external sender identity");
  if (identity.next !== bytes.length) {
    throw new DaveError(
      "malformed",
      `external sender package has ${bytes.length - identity.next} trailing bytes`,
    );
  }
  if (key.value.length !== 65 || key.value[0] !== 4) {
    throw new DaveError("invalid", "external sender key must be an uncompressed P-256 point");
  }
  return { signatureKey: key.value.slice(), identity: identity.value.slice(), bytes: bytes.slice() };
}

/** op 27 after its first byte: append carries MLSMessage proposals, revoke carries ProposalRefs. */
export type ProposalsPayload =
  | { readonly operation: "append"; readonly proposals: Uint8Array[] }
  | { readonly operation: "revoke"; readonly refs: Uint8Array[] };

/** Parse op 27's payload: `uint8 operation (0 append, 1 revoke)` then one vector<V>. */
export function parseProposalsPayload(bytes: Uint8Array): ProposalsPayload {
  const operation = bytes[0];
  if (operation !== 0 && operation !== 1) {
    throw new DaveError(
      "malformed",
      `proposals operation ${String(operation)}; expected 0 (append) or 1 (revoke)`,
    );
  }
  const body = vector(bytes, 1, "proposals vector");
  if (body.next !== bytes.length) {
    throw new DaveError("malformed", `proposals payload has ${bytes.length - body.next} trailing bytes`);
  }
  const list = body.value;
  if (operation === 1) {
    const refs: Uint8Array[] = [];
    for (let offset = 0; offset < list.length; ) {
      const ref = vector(list, offset, `proposal reference ${refs.length}`);
      refs.push(ref.value.slice());
      offset = ref.next;
    }
    return { operation: "revoke", refs };
  }
  try {
    return { operation: "append", proposals: splitMessages(list, "appended proposals") };
  } catch (err) {
    throw new DaveError("malformed", (err as Error).message, { cause: err });
  }
}
