import {
  createExternalProposal,
  generateSignatureKeyPair,
  loadSuite,
  type SignatureKeyPair,
  writeVarint,
} from "@parley/mls";
import { type Snowflake, snowflakeBytes } from "../../src/index.js";

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/**
 * The voice gateway's part in tests: an external sender with its own P-256 key that frames op 25 and op 27
 * payloads exactly as Discord does (dave-notes "Voice gateway opcodes").
 */
export class TestGateway {
  private constructor(
    private readonly keys: SignatureKeyPair,
    readonly channelId: Snowflake,
  ) {}

  static async create(channelId: Snowflake): Promise<TestGateway> {
    return new TestGateway(await generateSignatureKeyPair(await loadSuite(2)), channelId);
  }

  /** op 25: signature_key<V> ‖ basic credential with a one-zero-byte identity. */
  get externalSender(): Uint8Array {
    return concat(writeVarint(this.keys.publicKey.length), this.keys.publicKey, Uint8Array.of(0, 1, 1, 0));
  }

  /** An external Add or Remove for the given epoch, as an MLSMessage. */
  async proposal(epoch: bigint, body: { add: Uint8Array } | { remove: number }): Promise<Uint8Array> {
    return createExternalProposal(await loadSuite(2), {
      groupId: snowflakeBytes(this.channelId),
      epoch,
      senderIndex: 0,
      signaturePrivateKey: this.keys.privateKey,
      proposal: body,
    });
  }

  /** op 27 payload after the operation byte: the proposals as one vector<V>. */
  static vector(messages: Uint8Array[]): Uint8Array {
    const body = concat(...messages);
    return concat(writeVarint(body.length), body);
  }

  /** op 27 payload as libdave's processProposals takes it: operation byte, then the vector. */
  static append(messages: Uint8Array[]): Uint8Array {
    return concat(Uint8Array.of(0), TestGateway.vector(messages));
  }
}
