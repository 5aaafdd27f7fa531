import type { TestContext } from "node:test";
import type { GatewayMessage } from "@parley/dave";
import { Session } from "@parley/dave";
import { Changes, WAIT_TIMEOUT_MS } from "@parley/testkit";
import {
  type CallSnapshot,
  startVoiceGateway,
  type VoiceGateway,
  VoiceGatewayClient,
  type VoiceGatewayOptions,
} from "../../src/index.js";

export const CHANNEL = "927310423890473011";

/**
 * What the voice-gateway tests wait on. Notified when a test member has handled a message, when a client gets
 * media or is closed, and on every line a test gateway logs (the gateway logs each opcode it handled, each
 * transition, proposal batch and refusal), so a wait re-checks exactly when something changed.
 */
export const changes = new Changes();

/** Wait until `check` holds, re-checking on every change; fail after 60 s with `what` and `state()`. */
export function until(check: () => boolean, what: string, state?: () => string): Promise<void> {
  return changes.until(check, what, { state });
}

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const u16 = (b: Uint8Array) => ((b[0] as number) << 8) | (b[1] as number);

export interface MemberOptions {
  maxDaveProtocolVersion?: number;
  channelId?: string;
  /** Send commits as soon as they are made (default); false keeps them in `heldCommits` for the test to send. */
  autoCommit?: boolean;
  /**
   * Commit proposals while pending, i.e. compete to create the call's group (default). false leaves creating
   * it to others, so that which member is the group's first leaf does not depend on whose commit is faster.
   */
  createsGroup?: boolean;
}

/**
 * A call member driven by hand in tests: a `VoiceGatewayClient` with @parley/dave's `Session` as its MLS engine,
 * reacting to the gateway's opcodes as a DAVE client does (dave-notes "Group life cycle"). Every message is
 * handled in arrival order, one at a time, and recorded for assertions.
 */
export class TestMember {
  readonly session: Session;
  readonly received: GatewayMessage[] = [];
  readonly recognized = new Set<string>();
  /** op 28 payloads made while autoCommit is off, and the same as { commit, welcome } parts. */
  readonly heldCommits: Uint8Array[] = [];
  readonly heldParts: Array<{ commit: Uint8Array; welcome?: Uint8Array }> = [];
  readonly sentCommits: Uint8Array[] = [];
  readonly executed: number[] = [];
  readonly failures: string[] = [];
  readonly media: Array<{ userId: string; ssrc: number; codec: number; frame: Uint8Array }> = [];
  version = 0;
  epoch: bigint | undefined;
  autoCommit: boolean;
  private readonly createsGroup: boolean;
  private readonly prepared = new Map<number, number>();
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    readonly client: VoiceGatewayClient,
    readonly userId: string,
    readonly channelId: string,
    options: MemberOptions,
  ) {
    this.autoCommit = options.autoCommit ?? true;
    this.createsGroup = options.createsGroup ?? true;
    this.session = new Session({
      onMlsFailure: (source, reason) => this.failures.push(`${source}: ${reason}`),
    });
    client.on("media", (userId, ssrc, codec, frame) => {
      this.media.push({ userId, ssrc, codec, frame });
      changes.notify();
    });
    client.on("close", () => changes.notify());
    client.onMessage((message) => {
      this.received.push(message);
      this.chain = this.chain
        .then(() => this.handle(message))
        .catch((err) => {
          this.failures.push(String(err));
        })
        .finally(() => changes.notify());
    });
  }

  static async join(url: string, userId: string, options: MemberOptions = {}): Promise<TestMember> {
    const channelId = options.channelId ?? CHANNEL;
    const client = await VoiceGatewayClient.connect(url, userId, {
      maxDaveProtocolVersion: options.maxDaveProtocolVersion ?? 1,
      channelId,
      timeoutMs: WAIT_TIMEOUT_MS,
    });
    return new TestMember(client, userId, channelId, options);
  }

  get authenticator(): string {
    return Buffer.from(this.session.lastEpochAuthenticator).toString("hex");
  }

  /** Messages of one opcode received so far. */
  ops(op: number): GatewayMessage[] {
    return this.received.filter((m) => m.op === op);
  }

  /** Wait until all messages received so far are handled. */
  settled(): Promise<void> {
    return this.chain;
  }

  sendCommit(bytes: Uint8Array): void {
    this.sentCommits.push(bytes);
    this.client.sendBinary(28, bytes);
  }

  /** Report an invalid commit/Welcome (op 31) and send a new key package, as a client recovering does. */
  recover(transitionId: number): Promise<void> {
    this.chain = this.chain.then(() => this.reportAndReset(transitionId));
    return this.chain;
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private async handle(message: GatewayMessage): Promise<void> {
    if (message.kind === "json") {
      const d = (message.d ?? {}) as Record<string, unknown>;
      switch (message.op) {
        case 4:
          this.version = Number(d.dave_protocol_version);
          if (this.version > 0) await this.session.init(this.version, this.channelId, this.userId);
          return;
        case 11:
          for (const id of d.user_ids as string[]) this.recognized.add(id);
          return;
        case 13:
          this.recognized.delete(String(d.user_id));
          return;
        case 21: {
          const id = Number(d.transition_id);
          this.prepared.set(id, Number(d.protocol_version));
          if (id === 0) this.execute(0);
          else this.client.sendJson(23, { transition_id: id });
          return;
        }
        case 22:
          this.execute(Number(d.transition_id));
          return;
        case 24:
          if (Number(d.epoch) === 1) {
            this.version = Number(d.protocol_version);
            this.epoch = undefined;
            await this.session.init(this.version, this.channelId, this.userId);
            this.sendKeyPackage();
          }
          return;
      }
      return;
    }
    switch (message.op) {
      case 25:
        await this.session.setExternalSender(message.payload);
        if (this.version > 0) this.sendKeyPackage();
        return;
      case 27: {
        if (!this.createsGroup && this.epoch === undefined) return;
        const out = await this.session.processProposals(message.payload, this.recognized);
        if (!out) return;
        const bytes = out.welcome ? concat(out.commit, out.welcome) : out.commit;
        if (this.autoCommit) this.sendCommit(bytes);
        else {
          this.heldCommits.push(bytes);
          this.heldParts.push(out);
        }
        return;
      }
      case 29: {
        const id = u16(message.payload);
        const result = await this.session.processCommit(message.payload.subarray(2));
        if (result.kind === "roster") {
          this.epoch = result.epoch;
          this.prepared.set(id, this.version);
          if (id !== 0) this.client.sendJson(23, { transition_id: id });
        } else if (result.kind === "failed") {
          await this.reportAndReset(id);
        }
        return;
      }
      case 30: {
        const id = u16(message.payload);
        const joined = await this.session.processWelcome(message.payload.subarray(2), this.recognized);
        if (joined) {
          this.epoch = joined.epoch;
          this.prepared.set(id, this.version);
          if (id !== 0) this.client.sendJson(23, { transition_id: id });
        } else {
          await this.reportAndReset(id);
        }
        return;
      }
    }
  }

  private execute(id: number): void {
    this.executed.push(id);
    this.version = this.prepared.get(id) ?? this.version;
  }

  /**
   * The reset comes first, so that op 31 and the new key package leave together (as davey's synchronous reset
   * sends them): the gateway then proposes the removal and the re-add in one batch, however slow the reset is.
   */
  private async reportAndReset(transitionId: number): Promise<void> {
    this.epoch = undefined;
    await this.session.init(this.version, this.channelId, this.userId);
    this.client.sendJson(31, { transition_id: transitionId });
    this.sendKeyPackage();
  }

  private sendKeyPackage(): void {
    const keyPackage = this.session.getMarshalledKeyPackage();
    if (keyPackage.length > 0) this.client.sendBinary(26, keyPackage);
  }
}

/** Wait until every member is in the same established epoch with the same authenticator. */
export async function agreed(members: readonly TestMember[], epoch: bigint): Promise<string> {
  const describe = () =>
    members.map((m) => `${m.userId.slice(-3)}@${m.epoch}:${m.authenticator.slice(0, 8)}`);
  await until(
    () =>
      members.every((m) => m.epoch === epoch) &&
      members.every((m) => m.authenticator.length === 64 && m.authenticator === members[0]?.authenticator),
    `${members.map((m) => m.userId).join(", ")} to agree on epoch ${epoch}`,
    () => describe().join(" "),
  );
  return members[0]?.authenticator ?? "";
}

export type TestGatewayOptions = Omit<VoiceGatewayOptions, "logStream">;

/**
 * A gateway for one test, logging JSON lines into `logs` (each line notifies `changes`), and closed when the
 * test ends, passed or failed, after the members and sockets joined through it.
 */
export class TestGateway {
  readonly logs: Array<Record<string, unknown>> = [];
  private readonly closers: Array<() => unknown> = [];
  private gateway: VoiceGateway | undefined;

  private constructor() {}

  static async start(t: TestContext, options: TestGatewayOptions = {}): Promise<TestGateway> {
    const fixture = new TestGateway();
    t.after(() => fixture.close());

    const sink = {
      write: (line: string) => {
        fixture.logs.push(JSON.parse(line));
        changes.notify();
      },
    };
    // Level "info" (the default) logs every handled opcode: every change is a line.
    fixture.gateway = await startVoiceGateway({ logLevel: "info", ...options, logStream: sink });
    return fixture;
  }

  get url(): string {
    return this.started().url;
  }

  inspect(channelId = CHANNEL): CallSnapshot | undefined {
    return this.started().inspect(channelId);
  }

  /** Close `close` (a socket, a client) with the test, before the gateway. */
  onClose(close: () => unknown): void {
    this.closers.push(close);
  }

  async join(userId: string, options: MemberOptions = {}): Promise<TestMember> {
    const member = await TestMember.join(this.url, userId, options);
    this.onClose(() => member.close());
    return member;
  }

  /**
   * Join members one at a time, each added by its own commit: the call is at epoch `ids.length - 1` after,
   * the first member created the group and member i is at leaf i.
   */
  async joinInTurn(ids: readonly string[], options: MemberOptions = {}): Promise<TestMember[]> {
    const members: TestMember[] = [];
    for (const id of ids) {
      members.push(await this.join(id, { ...options, createsGroup: members.length === 0 }));
      if (members.length > 1) await agreed(members, BigInt(members.length - 1));
    }
    return members;
  }

  private started(): VoiceGateway {
    if (!this.gateway) throw new Error("the gateway has not started");
    return this.gateway;
  }

  private async close(): Promise<void> {
    await Promise.all(this.closers.map((close) => close()));
    await this.gateway?.close();
  }
}
