import type { TestContext } from "node:test";
import type { GatewayMessage, VoiceGatewayTransport } from "@parley/dave";
import { VoiceSession } from "@parley/dave";
import { type Random, testRandom, WAIT_TIMEOUT_MS } from "@parley/testkit";
import { DAVESession, MediaType, ProposalsOperationType } from "@snazzah/davey";
import { RelayCodec, VoiceGatewayClient } from "../../src/index.js";
import { CHANNEL, changes, TestGateway, until } from "./member.js";

/*
 * A live call for the scenario tests: real `VoiceGatewayClient`s on a real gateway, each member driven by a
 * Parley `VoiceSession` or by a @snazzah/davey `DAVESession` (the way discord.js drives it), every member
 * sending Opus-like frames at 50 frames/s through the relay and decrypting everything it receives. The call
 * keeps the books the scenarios assert on: every frame sent (with the epoch whose key sealed it), every
 * delivery and its outcome, and every member's epoch authenticator per transition. Members notify `changes`
 * whenever their state moves (a processed opcode, an executed transition), so waits re-check then.
 */

export const FRAME_INTERVAL_MS = 20;
const FAFA = 0xfa;

export type MemberKind = "parley" | "davey";

export type Opened =
  | { readonly ok: true; readonly frame: Uint8Array; readonly passthrough: boolean }
  | { readonly ok: false; readonly reason: string };

/** Hooks a scenario can put between a member's DAVE engine and its socket (hold, reorder, replace ops). */
export interface Interceptor {
  /** A binary op the engine sends; call `send` to let it through (now or later), or not at all. */
  onSendBinary?(op: number, payload: Uint8Array, send: (op: number, payload: Uint8Array) => void): void;
  /** A message from the gateway; call `deliver` to hand it to the engine (now or later). */
  onReceive?(message: GatewayMessage, deliver: (message: GatewayMessage) => void): void;
}

/** What the call needs from a member, whichever engine drives it. */
export interface CallMember {
  readonly userId: string;
  readonly kind: MemberKind;
  readonly client: VoiceGatewayClient;
  readonly ssrc: number;
  /** Authenticator (hex) of the epoch whose key seals this member's frames now; "" before it has one. */
  readonly sendingEpoch: string;
  /** Authenticator (hex) of the latest epoch this member processed; "" without a call group. */
  readonly authenticator: string;
  readonly epoch: bigint | undefined;
  /** Failures the engine reported (MLS refusals, op 31 sent), never key material. */
  readonly failures: string[];
  /** The last opcodes received and sent, with times, for failure messages. */
  readonly trace: string[];
  seal(frame: Uint8Array): { ok: true; frame: Uint8Array } | { ok: false; reason: string };
  open(senderId: string, frame: Uint8Array): Opened;
  dispose(): void;
}

/** Told by members when they reach a new epoch. */
export interface MemberHooks {
  /** A processed commit or Welcome for `transitionId`: the member's authenticator and group then. */
  prepared(member: CallMember, transitionId: number, authenticator: string, roster: readonly string[]): void;
  /** The member's sending key is now that of the epoch with this authenticator. */
  executed(member: CallMember): void;
  /** The member could not process the commit or Welcome of `transitionId` (it sent op 31). */
  refused(member: CallMember, transitionId: number, reason: string): void;
}

const hex = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString("hex");
const u16 = (b: Uint8Array) => ((b[0] as number) << 8) | (b[1] as number);

/** A member driven by Parley's VoiceSession; `interceptor` sits between the session and the socket. */
class ParleyMember implements CallMember {
  readonly kind = "parley";
  readonly voice: VoiceSession;
  readonly failures: string[] = [];
  readonly trace: string[] = [];
  sendingEpoch = "";
  private roster: readonly string[] = [];

  constructor(
    readonly client: VoiceGatewayClient,
    readonly userId: string,
    readonly ssrc: number,
    hooks: MemberHooks,
    interceptor: Interceptor = {},
  ) {
    // What the session sends is where its handling of an opcode shows: a wait may re-check after each.
    const transport: VoiceGatewayTransport = {
      sendJson: (op, d) => {
        const id = (d as { transition_id?: number } | null)?.transition_id ?? -1;
        if (op === 23) hooks.prepared(this, id, this.authenticator, this.roster);
        if (op === 31) {
          hooks.refused(this, id, this.failures.at(-1) ?? "");
        }
        client.sendJson(op, d);
        changes.notify();
      },
      sendBinary: (op, payload) => {
        if (interceptor.onSendBinary)
          interceptor.onSendBinary(op, payload, (o, p) => client.sendBinary(o, p));
        else client.sendBinary(op, payload);
        changes.notify();
      },
      onMessage: (handler) =>
        client.onMessage((message) => {
          if (interceptor.onReceive) interceptor.onReceive(message, handler);
          else handler(message);
        }),
    };
    this.voice = new VoiceSession({ transport, userId, channelId: CHANNEL });
    this.voice.on("roster", (roster) => {
      this.roster = roster;
      changes.notify();
    });
    this.voice.on("transition", ({ protocolVersion }) => {
      // The sending ratchet switched (or, after a sole-member reset, stayed): it is the latest epoch's.
      if (protocolVersion > 0 && this.authenticator !== "") this.sendingEpoch = this.authenticator;
      hooks.executed(this);
      changes.notify();
    });
    this.voice.on("failure", ({ source, reason }) => {
      this.failures.push(`${source}: ${reason}`);
      changes.notify();
    });
  }

  get authenticator(): string {
    return hex(this.voice.epochAuthenticator);
  }

  get epoch(): bigint | undefined {
    return this.authenticator === "" ? undefined : this.voice.epoch;
  }

  seal(frame: Uint8Array) {
    if (!this.voice.ready) return { ok: false as const, reason: "not-ready" };
    const out = this.voice.encrypt(frame, "opus", this.ssrc);
    return out.ok ? { ok: true as const, frame: out.frame } : { ok: false as const, reason: out.reason };
  }

  open(senderId: string, frame: Uint8Array): Opened {
    const out = this.voice.decrypt(senderId, frame, "opus");
    return out.ok ? { ok: true, frame: out.frame, passthrough: out.passthrough } : out;
  }

  dispose(): void {
    this.voice.dispose();
  }
}

/**
 * A member whose engine is @snazzah/davey, driven as discord.js's DAVESession drives it: op 23 after every
 * processed commit or Welcome, op 31 and a reset when one fails, a new key package on op 24 epoch 1. davey
 * installs every ratchet, its own sending one included, when it processes the commit.
 */
class DaveyDriven implements CallMember {
  readonly kind = "davey";
  readonly failures: string[] = [];
  readonly trace: string[] = [];
  sendingEpoch = "";
  session: DAVESession | undefined;
  private readonly recognized = new Set<string>();
  private externalSender: Buffer | undefined;

  constructor(
    readonly client: VoiceGatewayClient,
    readonly userId: string,
    readonly ssrc: number,
    private readonly hooks: MemberHooks,
  ) {
    // davey handles each opcode synchronously: once handled, a wait may re-check.
    client.onMessage((message) => {
      try {
        this.handle(message);
      } catch (err) {
        this.failures.push(`op ${message.op}: ${(err as Error).message}`);
      }
      changes.notify();
    });
  }

  get authenticator(): string {
    return this.session?.epoch ? hex(this.session.getEpochAuthenticator()) : "";
  }

  get epoch(): bigint | undefined {
    return this.session?.epoch ?? undefined;
  }

  seal(frame: Uint8Array) {
    if (!this.session?.ready) return { ok: false as const, reason: "not-ready" };
    return { ok: true as const, frame: this.session.encryptOpus(Buffer.from(frame)) };
  }

  open(senderId: string, frame: Uint8Array): Opened {
    if (!this.session) return { ok: false, reason: "no-session" };
    try {
      const plain = this.session.decrypt(senderId, MediaType.AUDIO, Buffer.from(frame));
      return { ok: true, frame: plain, passthrough: false };
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
  }

  dispose(): void {
    this.session?.reset();
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
          this.userId,
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
        } catch (err) {
          this.failures.push(`op ${message.op}: ${(err as Error).message}`);
          this.hooks.refused(this, id, `op ${message.op}: ${(err as Error).message}`);
          this.client.sendJson(31, { transition_id: id });
          this.reinit();
          return;
        }
        this.sendingEpoch = this.authenticator;
        this.hooks.prepared(this, id, this.authenticator, session.getUserIds());
        this.hooks.executed(this);
        if (id !== 0) this.client.sendJson(23, { transition_id: id });
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

/** One frame as it left its sender. */
interface SentFrame {
  readonly sender: string;
  readonly plain: Uint8Array;
  readonly sentAt: number;
  /** The epoch whose key sealed it. */
  readonly epoch: string;
}

export interface CallCounts {
  /** Frames members encrypted and sent through the relay. */
  sent: number;
  /** Ticks a member skipped because it had no sending key yet (it never sends then). */
  notReady: number;
  /** Encryptions refused although the member was ready (must stay 0). */
  refused: number;
  /** Frames received by members (one per receiver). */
  deliveries: number;
  decrypted: number;
  /** Failures of frames sealed under an epoch the receiver was not in (e.g. sent before it joined). */
  failedAllowed: number;
  /** Failures of frames sealed under an epoch whose group the receiver was in (must stay 0). */
  failedNotAllowed: number;
  /** Received frames without the DAVE trailer, or that passed through without decryption (must stay 0). */
  plaintext: number;
  /** Decrypted to something other than what was sent (must stay 0). */
  corrupted: number;
  /** Received frames no member of the call sent (must stay 0: the relay invents nothing). */
  unknown: number;
  /** Frames a member never received although it was in the call when they were sent (see `countLost`). */
  lost: number;
  /** Deliveries to welcomed members of frames sent after both the sender and the newcomer executed its join. */
  afterJoinDeliveries: number;
  afterJoinFailed: number;
  /** Transitions whose authenticator was reported by ≥ 1 member, and reports that disagreed (must be 0). */
  transitions: number;
  authenticatorReports: number;
  authenticatorDisagreements: number;
}

interface Presence {
  readonly member: CallMember;
  /** Leaving: it is sent nothing new, and is closed once `owed` is empty. */
  leaving: boolean;
  /** Closed: what reaches it now is not counted. */
  gone: boolean;
  /** When this member executed the transition that welcomed it into a group with others. */
  joinedAt: number | undefined;
  /** Frames sent to the call while it was in it that it has not received yet. */
  readonly owed: Set<SentFrame>;
}

const noHooks: MemberHooks = { prepared() {}, executed() {}, refused() {} };

/** Drive a connected client as a call member with Parley's VoiceSession or with davey (also used by the bench). */
export function attachMember(
  kind: MemberKind,
  client: VoiceGatewayClient,
  ssrc: number,
  hooks: MemberHooks = noHooks,
  interceptor?: Interceptor,
): CallMember {
  return kind === "parley"
    ? new ParleyMember(client, client.userId, ssrc, hooks, interceptor)
    : new DaveyDriven(client, client.userId, ssrc, hooks);
}

export interface JoinOptions {
  interceptor?: Interceptor;
}

/** The scenario's books, one live call. */
export class LiveCall {
  readonly counts: CallCounts = {
    sent: 0,
    notReady: 0,
    refused: 0,
    deliveries: 0,
    decrypted: 0,
    failedAllowed: 0,
    failedNotAllowed: 0,
    plaintext: 0,
    corrupted: 0,
    unknown: 0,
    lost: 0,
    afterJoinDeliveries: 0,
    afterJoinFailed: 0,
    transitions: 0,
    authenticatorReports: 0,
    authenticatorDisagreements: 0,
  };
  /** Failure reasons of deliveries, allowed and not. */
  readonly reasons = new Map<string, number>();
  /** Commits and Welcomes members refused (op 31), with the reason they gave. */
  readonly refusals: Array<{ userId: string; transitionId: number; reason: string }> = [];
  /** The first few disallowed failures, for the assertion message. */
  readonly incidents: string[] = [];
  /** Members in the call, not leaving. */
  readonly members = new Map<string, CallMember>();
  /** Every member that ever joined, present or gone. */
  readonly everyone: CallMember[] = [];
  /** Audio ticks so far: every member present sent (or, without a key yet, skipped) one frame per tick. */
  ticks = 0;
  private readonly presence = new Map<string, Presence>();
  private readonly frames = new Map<string, SentFrame>();
  /** Epoch authenticator → the user ids in that epoch's group. */
  private readonly rosters = new Map<string, ReadonlySet<string>>();
  /** Transition id → the authenticator the first member reported. */
  private readonly transitionAuth = new Map<number, string>();
  private ticker: NodeJS.Timeout | undefined;
  private readonly hooks: MemberHooks = {
    prepared: (member, id, authenticator, roster) => this.prepared(member, id, authenticator, roster),
    refused: (member, transitionId, reason) => {
      this.refusals.push({ userId: member.userId, transitionId, reason });
    },
    executed: (member) => {
      const presence = this.presence.get(member.userId);
      const roster = this.rosters.get(member.sendingEpoch);
      // Executed the transition into a group with others: from now on it must hear everyone in that group.
      if (presence && presence.joinedAt === undefined && roster && roster.size > 1)
        presence.joinedAt = performance.now();
    },
  };

  constructor(
    readonly gateway: TestGateway,
    /** The test's seeded choices: SSRCs, frame sizes and contents, and whatever the scenario draws. */
    readonly random: Random,
  ) {}

  /** Every member sends one frame per 20 ms (50 frames/s), 60–120 random bytes. */
  startAudio(): void {
    this.ticker ??= setInterval(() => this.tick(), FRAME_INTERVAL_MS);
  }

  /** Let audio flow for `frames` ticks: counted, not timed, so a loaded machine talks as much as an idle one. */
  async talk(frames: number): Promise<void> {
    const target = this.ticks + frames;
    await until(
      () => this.ticks >= target,
      `${frames} audio ticks`,
      () => `tick ${this.ticks} of ${target}`,
    );
  }

  /** Stop the audio, and wait until every member in the call has received every frame sent to it. */
  async stopAudio(): Promise<void> {
    clearInterval(this.ticker);
    this.ticker = undefined;
    const present = [...this.presence.values()].filter((p) => !p.gone);
    await until(
      () => present.every((p) => p.owed.size === 0),
      "every frame sent to reach every member in the call",
      () => this.owedSummary(present),
    );
  }

  async join(userId: string, kind: MemberKind = "parley", options: JoinOptions = {}): Promise<CallMember> {
    const client = await VoiceGatewayClient.connect(this.gateway.url, userId, {
      maxDaveProtocolVersion: 1,
      channelId: CHANNEL,
      timeoutMs: WAIT_TIMEOUT_MS,
    });
    const ssrc = 1 + this.random.int(0xfffffffe);
    const member = attachMember(kind, client, ssrc, this.hooks, options.interceptor);
    // Connected means identified: the gateway relays every frame sent from now on to this member too.
    this.members.set(userId, member);
    this.everyone.push(member);
    this.presence.set(userId, {
      member,
      leaving: false,
      gone: false,
      joinedAt: undefined,
      owed: new Set(),
    });
    client.on("media", (sender, _ssrc, _codec, frame) => {
      this.receive(member, sender, frame);
      changes.notify();
    });
    client.onMessage((m) => {
      const id =
        m.kind === "json"
          ? (m.d as { transition_id?: number } | null)?.transition_id
          : m.op >= 29
            ? u16(m.payload)
            : undefined;
      member.trace.push(`${performance.now().toFixed(0)} <${m.op}${id === undefined ? "" : `#${id}`}`);
      if (member.trace.length > 40) member.trace.shift();
    });
    return member;
  }

  /**
   * The member stops sending and is sent nothing new; once every frame sent to it before has arrived (frames
   * from other sockets may still be on their way through the gateway), it disconnects.
   */
  async leave(userId: string): Promise<void> {
    const member = this.members.get(userId);
    const presence = this.presence.get(userId);
    if (!member || !presence) throw new Error(`${userId} is not in the call`);
    this.members.delete(userId);
    presence.leaving = true;
    await until(
      () => presence.owed.size === 0,
      `${userId} to receive the frames sent before it left`,
      () => this.owedSummary([presence]),
    );
    await this.close(presence);
  }

  /** The test is over (passed or not): stop the audio and disconnect everyone, without waiting for frames. */
  async closeAll(): Promise<void> {
    clearInterval(this.ticker);
    this.members.clear();
    await Promise.all([...this.presence.values()].filter((p) => !p.gone).map((p) => this.close(p)));
  }

  /**
   * Wait until the call is quiet: the gateway has nothing pending, every member is in its epoch, sends under
   * that epoch's key and agrees with the others on the authenticator. Returns the authenticator.
   */
  async settled(): Promise<string> {
    await until(
      () => this.quiet(),
      "the call to settle",
      () => this.describe(),
    );
    return this.agreement();
  }

  /** The authenticator every member holds ("" with fewer than two members); throws if they disagree. */
  agreement(): string {
    const auths = new Set([...this.members.values()].map((m) => m.authenticator));
    if (this.members.size > 1 && auths.size !== 1)
      throw new Error(`members disagree on the epoch authenticator: ${this.describe()}`);
    return this.members.size > 1 ? ([...auths][0] as string) : "";
  }

  /** The gateway and every member agree the call is between transitions. */
  quiet(): boolean {
    const snapshot = this.gateway.inspect(CHANNEL);
    if (!snapshot) return this.members.size === 0;
    const members = [...this.members.values()];
    // A lone member has no group with anyone (its first group comes with the second member).
    if (members.length <= 1) return true;
    if (!snapshot.established || snapshot.pendingTransitions > 0 || snapshot.unrevokedProposals > 0)
      return false;
    const roster = new Set(snapshot.roster.map((l) => l.userId));
    return (
      roster.size === members.length &&
      members.every(
        (m) =>
          roster.has(m.userId) &&
          m.epoch === snapshot.epoch &&
          m.authenticator !== "" &&
          m.sendingEpoch === m.authenticator,
      )
    );
  }

  describe(): string {
    const s = this.gateway.inspect(CHANNEL);
    const members = [...this.members.values()]
      .map((m) => `${m.userId.slice(-3)}@${m.epoch}${m.sendingEpoch === m.authenticator ? "" : "*"}`)
      .join(" ");
    return `gateway epoch ${s?.epoch} pending ${s?.pendingTransitions} proposals ${s?.unrevokedProposals}; ${members}`;
  }

  /** Frames members never received although they were in the call when they were sent. */
  countLost(): number {
    let lost = 0;
    for (const p of this.presence.values()) lost += p.owed.size;
    this.counts.lost = lost;
    return lost;
  }

  /** Transitions the gateway executed on its timeout rather than on every member's op 23 (must be none). */
  timedOutTransitions(): string[] {
    return this.gateway.logs
      .filter((l) => l.msg === "transition executed" && l.timedOut === true)
      .map((l) => `transition ${l.transitionId} executed on the timeout, without every op 23`);
  }

  summary(name: string): string {
    const c = this.counts;
    const reasons = [...this.reasons].map(([r, n]) => `${r}×${n}`).join(", ");
    return (
      `${name}: ${this.ticks} ticks, sent ${c.sent}, deliveries ${c.deliveries}, decrypted ${c.decrypted}, ` +
      `failed allowed ${c.failedAllowed} / not allowed ${c.failedNotAllowed}` +
      `, plaintext ${c.plaintext}, ` +
      `corrupted ${c.corrupted}, unknown ${c.unknown}, lost ${c.lost}, not-ready ticks ${c.notReady}, ` +
      `refused ${c.refused}; after-join deliveries ${c.afterJoinDeliveries} (failed ${c.afterJoinFailed}); ` +
      `transitions ${c.transitions} (${c.authenticatorReports} authenticator reports, ` +
      `${c.authenticatorDisagreements} disagreeing)${reasons ? `; failure reasons: ${reasons}` : ""}`
    );
  }

  private async close(presence: Presence): Promise<void> {
    presence.leaving = true;
    await presence.member.client.close();
    presence.gone = true;
    presence.member.dispose();
  }

  private owedSummary(presences: readonly Presence[]): string {
    return presences
      .filter((p) => p.owed.size > 0)
      .map((p) => {
        const first = [...p.owed][0] as SentFrame;
        return `${p.member.userId.slice(-3)} owed ${p.owed.size} (first from ${first.sender.slice(-3)} at ${first.sentAt.toFixed(0)})`;
      })
      .join("; ");
  }

  private tick(): void {
    const now = performance.now();
    this.ticks++;
    for (const member of this.members.values()) {
      if (!member.client.open) continue;
      const plain = this.random.bytes(60 + this.random.int(61));
      const sealed = member.seal(plain);
      if (!sealed.ok) {
        if (sealed.reason === "not-ready") this.counts.notReady++;
        else this.counts.refused++;
        continue;
      }
      const frame: SentFrame = {
        sender: member.userId,
        plain,
        sentAt: now,
        epoch: member.sendingEpoch,
      };
      this.frames.set(Buffer.from(sealed.frame).toString("base64"), frame);
      for (const [userId, p] of this.presence) {
        if (userId !== frame.sender && !p.leaving) p.owed.add(frame);
      }
      member.client.sendMedia(member.ssrc, RelayCodec.opus, sealed.frame);
      this.counts.sent++;
    }
    changes.notify();
  }

  private receive(receiver: CallMember, senderId: string, bytes: Uint8Array): void {
    const presence = this.presence.get(receiver.userId);
    if (!presence || presence.gone) return;
    this.counts.deliveries++;
    const n = bytes.length;
    const trailer = n >= 11 && bytes[n - 1] === FAFA && bytes[n - 2] === FAFA;
    if (!trailer) this.counts.plaintext++;
    const frame = this.frames.get(Buffer.from(bytes).toString("base64"));
    if (!frame || frame.sender !== senderId) {
      this.counts.unknown++;
      return;
    }
    presence.owed.delete(frame);
    const receiverInEpoch = this.rosters.get(frame.epoch)?.has(receiver.userId) ?? false;
    const afterJoin = presence.joinedAt !== undefined && frame.sentAt > presence.joinedAt && receiverInEpoch;
    if (afterJoin) this.counts.afterJoinDeliveries++;
    const opened = receiver.open(senderId, bytes);
    if (opened.ok) {
      if (opened.passthrough) this.counts.plaintext++;
      else if (!Buffer.from(opened.frame).equals(Buffer.from(frame.plain))) this.counts.corrupted++;
      else this.counts.decrypted++;
      return;
    }
    // davey's reasons carry frame sizes: keep only their kind.
    const reason = opened.reason.replace(/ \{.*\}/, "");
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
    // Allowed: the frame was sealed under an epoch whose group did not include the receiver (sent before it
    // joined). A frame sealed before its sender had any call epoch has no excuse.
    if (!receiverInEpoch && frame.epoch !== "") {
      this.counts.failedAllowed++;
      return;
    }
    this.counts.failedNotAllowed++;
    if (afterJoin) this.counts.afterJoinFailed++;
    if (this.incidents.length < 10) {
      this.incidents.push(
        `${senderId.slice(-3)}→${receiver.userId.slice(-3)} ${opened.reason} (sealed in ${frame.epoch.slice(0, 8)}, ` +
          `receiver at ${receiver.authenticator.slice(0, 8)} epoch ${receiver.epoch}, ` +
          `${(performance.now() - frame.sentAt).toFixed(1)} ms after sending, now ${performance.now().toFixed(0)}; ` +
          `receiver trace ${receiver.trace.join(" ")}; receiver failures ${receiver.failures.join(" | ")})`,
      );
    }
  }

  private prepared(member: CallMember, id: number, authenticator: string, roster: readonly string[]): void {
    if (authenticator === "") return;
    this.counts.authenticatorReports++;
    const first = this.transitionAuth.get(id);
    if (first === undefined) {
      this.transitionAuth.set(id, authenticator);
      this.counts.transitions++;
    } else if (first !== authenticator) {
      this.counts.authenticatorDisagreements++;
      if (this.incidents.length < 10)
        this.incidents.push(`${member.userId.slice(-3)} disagrees on the authenticator of transition ${id}`);
    }
    const known = this.rosters.get(authenticator);
    if (!known) this.rosters.set(authenticator, new Set(roster));
  }
}

/**
 * A gateway and a live call on it for one test, seeded from the test (see @parley/testkit); when the test
 * ends, passed or failed, everyone leaves and the gateway closes.
 */
export async function startLiveCall(t: TestContext): Promise<LiveCall> {
  // A transition waits for every member's op 23: a member slowed down by a loaded machine delays it, as a
  // slow client would, instead of being skipped by a 2 s timeout and then failing to decrypt.
  const gateway = await TestGateway.start(t, { transitionTimeoutMs: WAIT_TIMEOUT_MS });
  const call = new LiveCall(gateway, testRandom(t));
  gateway.onClose(() => call.closeAll());
  return call;
}

/** Failures any member ever reported, refusals (op 31) and transitions that timed out: must be empty. */
export function unexpectedFailures(call: LiveCall): string[] {
  return [
    ...call.everyone.flatMap((m) => m.failures.map((f) => `${m.userId}: ${f}`)),
    ...call.refusals.map((r) => `${r.userId} refused transition ${r.transitionId}: ${r.reason}`),
    ...call.timedOutTransitions(),
  ];
}

/** A user id for scenario `scenario`, member `n`. */
export const userIdOf = (scenario: number, n: number) =>
  (9_000_000_000_000_000n + BigInt(scenario * 1000 + n)).toString();
