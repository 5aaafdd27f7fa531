import type { GatewayMessage } from "@parley/dave";
import { DAVESession, ProposalsOperationType } from "@snazzah/davey";
import { VoiceGatewayClient } from "../../src/index.js";
import { CHANNEL } from "./member.js";

const u16 = (b: Uint8Array) => ((b[0] as number) << 8) | (b[1] as number);

/**
 * A call member whose MLS engine is @snazzah/davey (the Rust implementation discord.js uses), driven through the
 * gateway the way discord.js's DAVESession does.
 */
export class DaveyMember {
  session: DAVESession | undefined;
  readonly recognized = new Set<string>();
  readonly failures: string[] = [];
  readonly media: Array<{ userId: string; frame: Uint8Array }> = [];
  private externalSender: Buffer | undefined;

  private constructor(
    readonly client: VoiceGatewayClient,
    readonly userId: string,
  ) {
    client.on("media", (userId, _ssrc, _codec, frame) => this.media.push({ userId, frame }));
    client.onMessage((message) => {
      try {
        this.handle(message);
      } catch (err) {
        this.failures.push(String(err));
      }
    });
  }

  static async join(url: string, userId: string): Promise<DaveyMember> {
    const client = await VoiceGatewayClient.connect(url, userId, {
      maxDaveProtocolVersion: 1,
      channelId: CHANNEL,
    });
    return new DaveyMember(client, userId);
  }

  get epoch(): bigint | undefined {
    return this.session?.epoch ?? undefined;
  }

  get authenticator(): string {
    return Buffer.from(this.session?.getEpochAuthenticator() ?? []).toString("hex");
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private handle(message: GatewayMessage): void {
    if (message.kind === "json") {
      const d = (message.d ?? {}) as Record<string, unknown>;
      if (message.op === 4 && Number(d.dave_protocol_version) > 0) {
        this.session = new DAVESession(1, this.userId, CHANNEL);
      } else if (message.op === 11) {
        for (const id of d.user_ids as string[]) this.recognized.add(id);
      } else if (message.op === 13) {
        this.recognized.delete(String(d.user_id));
      } else if (message.op === 21 && Number(d.transition_id) !== 0) {
        this.client.sendJson(23, { transition_id: d.transition_id });
      } else if (message.op === 24 && Number(d.epoch) === 1) {
        this.reinit();
      }
      return;
    }
    const session = this.session;
    if (!session) return;
    switch (message.op) {
      case 25:
        this.externalSender = Buffer.from(message.payload);
        session.setExternalSender(this.externalSender);
        this.client.sendBinary(26, session.getSerializedKeyPackage());
        return;
      case 27: {
        const operation =
          message.payload[0] === 0 ? ProposalsOperationType.APPEND : ProposalsOperationType.REVOKE;
        const result = session.processProposals(operation, Buffer.from(message.payload.subarray(1)), [
          ...this.recognized,
        ]);
        if (result.commit) {
          this.client.sendBinary(28, Buffer.concat([result.commit, result.welcome ?? Buffer.alloc(0)]));
        }
        return;
      }
      case 29:
      case 30: {
        const id = u16(message.payload);
        const body = Buffer.from(message.payload.subarray(2));
        try {
          if (message.op === 29) session.processCommit(body);
          else session.processWelcome(body);
          if (id !== 0) this.client.sendJson(23, { transition_id: id });
        } catch (err) {
          this.failures.push(`op ${message.op}: ${String(err)}`);
          this.client.sendJson(31, { transition_id: id });
          this.reinit();
        }
        return;
      }
    }
  }

  private reinit(): void {
    if (!this.session) return;
    this.session.reinit(1, this.userId, CHANNEL);
    if (this.externalSender) {
      this.session.setExternalSender(this.externalSender);
      this.client.sendBinary(26, this.session.getSerializedKeyPackage());
    }
  }
}
