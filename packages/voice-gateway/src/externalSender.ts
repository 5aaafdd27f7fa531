import { createHash } from "node:crypto";
import {
  createExternalProposal,
  generateSignatureKeyPair,
  loadSuite,
  type MlsSuite,
  type SignatureKeyPair,
  writeVarint,
} from "@parley/mls";
import { concatBytes } from "./framing.js";

/** DAVE's ciphersuite: MLS_128_DHKEMP256_AES128GCM_SHA256_P256. */
export const DAVE_CIPHERSUITE = 2;
const BASIC_CREDENTIAL = Uint8Array.of(0, 1);
/** Discord's external sender identity is a single zero byte; members only compare it with op 25's. */
const IDENTITY = Uint8Array.of(0);

/** An external proposal as sent in op 27, with the reference members' commits will use for it. */
export interface SignedProposal {
  readonly message: Uint8Array;
  readonly ref: Uint8Array;
}

/**
 * The voice gateway as the group's external sender (RFC 9420 §12.1.8.1): its own P-256 signature key, the
 * op 25 package announcing it, and the Add/Remove proposals it signs. The private key never leaves this object.
 */
export class ExternalSender {
  private constructor(
    private readonly suite: MlsSuite,
    private readonly keys: SignatureKeyPair,
  ) {}

  static async create(): Promise<ExternalSender> {
    const suite = await loadSuite(DAVE_CIPHERSUITE);
    return new ExternalSender(suite, await generateSignatureKeyPair(suite));
  }

  /** op 25: `signature_key<V> ‖ uint16 credential_type = basic ‖ identity<V>`. */
  get package(): Uint8Array {
    const key = this.keys.publicKey;
    return concatBytes(
      writeVarint(key.length),
      key,
      BASIC_CREDENTIAL,
      writeVarint(IDENTITY.length),
      IDENTITY,
    );
  }

  async propose(
    groupId: Uint8Array,
    epoch: bigint,
    proposal: { readonly add: Uint8Array } | { readonly remove: number },
  ): Promise<SignedProposal> {
    const message = await createExternalProposal(this.suite, {
      groupId,
      epoch,
      // DAVE groups carry exactly one external sender: the gateway, at index 0.
      senderIndex: 0,
      signaturePrivateKey: this.keys.privateKey,
      proposal,
    });
    return { message, ref: proposalRef(message) };
  }
}

/**
 * RFC 9420 §5.2 ProposalRef = RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent). For an external
 * sender's PublicMessage (no membership tag) the AuthenticatedContent is the MLSMessage after its version.
 */
export function proposalRef(message: Uint8Array): Uint8Array {
  const label = new TextEncoder().encode("MLS 1.0 Proposal Reference");
  const content = message.subarray(2);
  const input = concatBytes(writeVarint(label.length), label, writeVarint(content.length), content);
  return new Uint8Array(createHash("sha256").update(input).digest());
}
