import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { type Random, testRandom } from "@parley/testkit";
import {
  parseProtocolFrame,
  type VoiceDowngradeRefusal,
  type VoiceFailure,
  VoiceSession,
  type VoiceSessionOptions,
} from "../../src/index.js";
import { changes } from "./changes.js";
import type { MemoryConnection } from "./memoryConnection.js";
import { TestVoiceGateway } from "./testVoiceGateway.js";

export const CHANNEL = "927310423890473011";

export interface Peer {
  readonly userId: string;
  readonly session: VoiceSession;
  readonly connection: MemoryConnection;
  /** Transition ids from the session's `transition` events, in order. */
  readonly executed: number[];
  readonly failures: VoiceFailure[];
  /** `downgradeRefused` events (sessions with requireE2EE). */
  readonly downgradesRefused: VoiceDowngradeRefusal[];
  roster: readonly string[];
  readyEvents: number;
  /** Joined and settled, not yet leaving. */
  inCall: boolean;
  left: boolean;
}

/** Frame counts over the whole call: every frame each member sends, as seen by every other member. */
export interface MediaCounts {
  sent: number;
  /** Encrypt refused (no sender ratchet yet). */
  unsent: number;
  delivered: number;
  decrypted: number;
  failed: number;
  /** Deliveries that had to decrypt: both ends in the group and the sender past the receiver's join. */
  required: number;
  requiredFailures: string[];
  /** Frames sent while E2EE that were not protocol frames, or carried the plaintext. */
  plaintextLeaks: number;
}

/**
 * A call for tests: a TestVoiceGateway, VoiceSessions joining and leaving over in-memory connections, and a media
 * pump in which every member sends an Opus-sized frame every 2 ms (a round) to every other member.
 */
export class Call {
  readonly peers = new Map<string, Peer>();
  readonly media: MediaCounts = {
    sent: 0,
    unsent: 0,
    delivered: 0,
    decrypted: 0,
    failed: 0,
    required: 0,
    requiredFailures: [],
    plaintextLeaks: 0,
  };
  /** Rounds of frames sent so far. */
  private rounds = 0;
  private timer?: NodeJS.Timeout;
  private inFlightFrames = 0;

  private constructor(
    readonly gateway: TestVoiceGateway,
    /** The test's seeded choices: frame contents, and whatever the test draws. */
    readonly random: Random,
  ) {}

  /** A call for test `t`, closed when the test ends (passed or not, so that it cannot keep the process alive). */
  static async create(t: TestContext, protocolVersion = 1): Promise<Call> {
    const call = new Call(await TestVoiceGateway.create(CHANNEL, protocolVersion), testRandom(t));
    t.after(() => call.close());
    return call;
  }

  peer(userId: string): Peer {
    const peer = this.peers.get(userId);
    if (!peer) throw new Error(`no peer ${userId}`);
    return peer;
  }

  present(): Peer[] {
    return [...this.peers.values()].filter((p) => !p.left);
  }

  /** Connect, identify (op 0), and wait until the gateway and every member have settled. */
  async join(
    userId: string,
    options: Omit<Partial<VoiceSessionOptions>, "transport" | "userId" | "channelId"> = {},
  ): Promise<Peer> {
    const connection = this.gateway.connect();
    const session = new VoiceSession({
      transport: connection.client,
      userId,
      channelId: CHANNEL,
      ...options,
    });
    const peer: Peer = {
      userId,
      session,
      connection,
      executed: [],
      failures: [],
      downgradesRefused: [],
      roster: [],
      readyEvents: 0,
      inCall: false,
      left: false,
    };
    session.on("transition", (t) => {
      peer.executed.push(t.transitionId);
      changes.notify();
    });
    session.on("failure", (f) => {
      peer.failures.push(f);
      changes.notify();
    });
    session.on("downgradeRefused", (refusal) => {
      peer.downgradesRefused.push(refusal);
      changes.notify();
    });
    session.on("roster", (r) => {
      peer.roster = r;
      changes.notify();
    });
    session.on("ready", () => {
      peer.readyEvents++;
      changes.notify();
    });
    this.peers.set(userId, peer);
    connection.client.sendJson(0, { user_id: userId, max_dave_protocol_version: session.maxProtocolVersion });
    await this.settled();
    peer.inCall = true;
    return peer;
  }

  async leave(userId: string): Promise<void> {
    const peer = this.peer(userId);
    peer.inCall = false;
    peer.left = true;
    peer.connection.close();
    peer.session.dispose();
    await this.settled();
  }

  /** Every opcode delivered and handled: each member in the group and past the last transition it was sent. */
  settled(): Promise<void> {
    return until(
      () => {
        if (!this.gateway.idle) return false;
        if ([...this.peers.values()].some((p) => p.connection.inFlight > 0)) return false;
        for (const peer of this.present()) {
          if (this.gateway.protocolVersion > 0 && !this.gateway.members.includes(peer.userId)) return false;
          const expected = this.gateway.lastExecuted.get(peer.userId);
          if (expected !== undefined && peer.executed.at(-1) !== expected) return false;
        }
        return true;
      },
      "the call to settle",
      () => this.describe(),
    );
  }

  /** The gateway's and each member's progress, for a wait that timed out. */
  describe(): string {
    const peers = this.present().map(
      (p) =>
        `${p.userId.slice(-3)}: executed ${p.executed.at(-1)} of ${this.gateway.lastExecuted.get(p.userId)}, ` +
        `${p.connection.inFlight} in flight`,
    );
    return `gateway ${this.gateway.idle ? "idle" : "busy"} at epoch ${this.gateway.epoch}; ${peers.join("; ")}`;
  }

  startMedia(): void {
    this.timer = setInterval(() => this.sendFrames(), 2);
  }

  /** Stop the pump and drop every session. */
  close(): void {
    clearInterval(this.timer);
    for (const peer of this.present()) {
      peer.left = true;
      peer.session.dispose();
    }
  }

  /**
   * Let media flow for `rounds` rounds (50: 100 ms on an idle machine): counted, not timed, so that a loaded
   * machine sends as many frames as an idle one.
   */
  flow(rounds = 50): Promise<void> {
    const target = this.rounds + rounds;
    return until(
      () => this.rounds >= target,
      `${rounds} rounds of frames`,
      () => `round ${this.rounds} of ${target}`,
    );
  }

  async stopMedia(): Promise<void> {
    clearInterval(this.timer);
    await until(
      () => this.inFlightFrames === 0,
      "frames in flight to arrive",
      () => `${this.inFlightFrames} in flight`,
    );
  }

  private sendFrames(): void {
    this.rounds++;
    changes.notify();
    for (const sender of this.present()) {
      const frame = this.random.bytes(60);
      frame[frame.length - 1] = 0; // never the protocol trailer 0xFAFA by chance
      const result = sender.session.encrypt(frame, "opus");
      if (!result.ok) {
        this.media.unsent++;
        continue;
      }
      this.media.sent++;
      const e2ee = sender.session.protocolVersion > 0;
      const hidden =
        parseProtocolFrame(result.frame) !== undefined && !Buffer.from(result.frame).includes(frame);
      if (e2ee && (result.passthrough || !hidden)) this.media.plaintextLeaks++;
      for (const receiver of this.present()) {
        if (receiver === sender) continue;
        const required = this.required(sender, receiver);
        this.inFlightFrames++;
        setImmediate(() => {
          this.inFlightFrames--;
          this.deliver(sender, receiver, result.frame, frame, required);
          changes.notify();
        });
      }
    }
  }

  /**
   * Whether a frame must decrypt: in a version-0 call between settled members; in an E2EE call when both are in
   * the group and the sender has executed the transition that brought the receiver in, or a later one (before
   * that, the sender still uses a key the receiver never had). Transition ids only grow in these tests.
   */
  private required(sender: Peer, receiver: Peer): boolean {
    if (this.gateway.protocolVersion === 0) return sender.inCall && receiver.inCall;
    const receiverJoined = this.gateway.joinedAt.get(receiver.userId);
    return (
      receiverJoined !== undefined &&
      this.gateway.joinedAt.has(sender.userId) &&
      sender.executed.some((id) => id >= receiverJoined)
    );
  }

  private deliver(
    sender: Peer,
    receiver: Peer,
    sent: Uint8Array,
    plain: Uint8Array,
    required: boolean,
  ): void {
    if (receiver.left) return;
    this.media.delivered++;
    if (required) this.media.required++;
    const result = receiver.session.decrypt(sender.userId, sent, "opus");
    if (result.ok && Buffer.from(result.frame).equals(plain)) {
      this.media.decrypted++;
      return;
    }
    this.media.failed++;
    if (required) {
      const why = result.ok ? "wrong plaintext" : result.reason;
      this.media.requiredFailures.push(`${sender.userId}→${receiver.userId}: ${why}`);
    }
  }
}

/** Wait until `condition` holds, re-checking on every change; fail after 60 s with `what` and `state()`. */
export function until(condition: () => boolean, what: string, state?: () => string): Promise<void> {
  return changes.until(condition, what, { state });
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
export const sorted = (ids: Iterable<string>) => [...ids].sort();

/** Everyone present agrees on the epoch, its authenticator, the voice privacy code and the roster, and is ready. */
export function assertAgreement(call: Call): void {
  const present = call.present();
  const [first] = present as [Peer];
  assert.equal(first.session.voicePrivacyCode.length, 30);
  for (const peer of present) {
    assert.equal(peer.session.epoch, call.gateway.epoch, `${peer.userId} epoch`);
    assert.equal(hex(peer.session.epochAuthenticator), hex(first.session.epochAuthenticator));
    assert.equal(peer.session.voicePrivacyCode, first.session.voicePrivacyCode);
    assert.deepEqual(sorted(peer.roster), sorted(call.gateway.members), `${peer.userId} roster`);
    assert.ok(peer.session.ready, `${peer.userId} ready`);
  }
}

/** No frame that had to decrypt failed, and nothing left in the clear while E2EE. */
export function assertNoLoss(call: Call): void {
  assert.deepEqual(call.media.requiredFailures, [], "frames that had to decrypt");
  assert.equal(call.media.plaintextLeaks, 0, "frames sent unencrypted while E2EE");
}

/** The frame counts for a test's diagnostic line. */
export function mediaSummary(call: Call): string {
  const { requiredFailures, ...counts } = call.media;
  return `frames: ${JSON.stringify({ ...counts, requiredFailures: requiredFailures.length })}`;
}
