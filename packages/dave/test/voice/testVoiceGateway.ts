import { createHash } from "node:crypto";
import { inspectKeyPackage, inspectMessage, writeVarint } from "@parley/mls";
import { VoiceOpcode as Op, snowflakeBytes } from "../../src/index.js";
import { TestGateway } from "../session/testGateway.js";
import { changes } from "./changes.js";
import { type ClientMessage, MemoryConnection } from "./memoryConnection.js";

type Change = { readonly kind: "add" | "remove"; readonly userId: string };
type Proposal = Change & { readonly ref: string };

interface Transition {
  readonly id: number;
  /** Users whose op 23 is still missing. */
  readonly waiting: Set<string>;
  /** Who gets op 22. */
  readonly recipients: readonly string[];
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** RFC 9420 §5.2 ProposalRef of an external proposal: RefHash over the MLSMessage after its version. */
function proposalRef(message: Uint8Array): string {
  const label = Buffer.from("MLS 1.0 Proposal Reference");
  const value = message.subarray(2);
  return createHash("sha256")
    .update(writeVarint(label.length))
    .update(label)
    .update(writeVarint(value.length))
    .update(value)
    .digest("hex");
}

/**
 * op 28 is `commit ‖ optional bare Welcome` with no length between them. A member's commit ends with its
 * membership tag (`20 ‖ 32 bytes`), so each such end is tried until the prefix is exactly one MLSMessage.
 */
export function splitCommitWelcome(payload: Uint8Array): { commit: Uint8Array; welcome?: Uint8Array } {
  for (let end = 33; end <= payload.length; end++) {
    if (payload[end - 33] !== 0x20) continue;
    const commit = payload.subarray(0, end);
    try {
      inspectMessage(commit);
    } catch {
      continue;
    }
    return end === payload.length ? { commit } : { commit, welcome: payload.subarray(end) };
  }
  throw new Error("op 28 does not start with a commit");
}

const transitionPayload = (id: number, body: Uint8Array) =>
  new Uint8Array(Buffer.concat([Uint8Array.of(id >> 8, id & 0xff), body]));

/**
 * The voice gateway's DAVE role for tests, over in-memory connections (dave-notes "Group life cycle"): op 4, 11,
 * 13 and 25 on identify and leave; external Add/Remove proposals (op 27) to committing members; the first valid
 * commit of each epoch broadcast as op 29 with a transition id, its Welcome as op 30 to the added users; op 22
 * once every member sent op 23; sole-member reset; downgrade to version 0 and upgrade back.
 *
 * Simplifications: before the group exists, the first key package's owner is the only committer (its local group
 * seeds the call's); proposals wait while a transition is in progress; nothing is ever revoked.
 */
export class TestVoiceGateway {
  private readonly connections = new Map<string, MemoryConnection>();
  /** Key packages of users waiting to be added. */
  private readonly keyPackages = new Map<string, Uint8Array>();
  /** Members that flagged a commit or Welcome (op 31) and wait for removal. */
  private readonly flagged = new Set<string>();
  private changes: Change[] = [];
  private proposals: Proposal[] = [];
  private leaves: (string | null)[] = [];
  private transition?: Transition;
  private phase: "idle" | "proposing" | "transitioning" = "idle";
  private nextTransitionId = 1;
  private busy = 0;
  private queue: Promise<void> = Promise.resolve();
  private established = false;
  private groupEpoch = 0n;
  /** The transition by which each member got its current group state (Welcome, or the group's first commit). */
  readonly joinedAt = new Map<string, number>();
  /** The last transition each user was told to execute (0: a sole-member reset). */
  readonly lastExecuted = new Map<string, number>();
  /** Commits that lost the race or broke a rule, as a real gateway would drop them. */
  commitsDropped = 0;
  /** Anything unexpected the gateway met; tests assert it stays empty. */
  readonly errors: string[] = [];

  private constructor(
    private readonly sender: TestGateway,
    private version: number,
  ) {}

  static async create(channelId: string, protocolVersion = 1): Promise<TestVoiceGateway> {
    return new TestVoiceGateway(await TestGateway.create(channelId), protocolVersion);
  }

  get protocolVersion(): number {
    return this.version;
  }

  get epoch(): bigint {
    return this.groupEpoch;
  }

  get members(): string[] {
    return this.leaves.filter((u): u is string => u !== null);
  }

  /** Nothing being proposed, committed or transitioned, and no opcode being handled. */
  get idle(): boolean {
    return this.busy === 0 && this.phase === "idle" && this.changes.length === 0;
  }

  /** A new client connection; the client identifies itself with op 0. */
  connect(): MemoryConnection {
    const connection = new MemoryConnection();
    let userId: string | undefined;
    connection.onServerMessage(
      (message) =>
        void this.serially(async () => {
          if (message.kind === "json" && message.op === Op.identify) {
            userId = (message.d as { user_id: string }).user_id;
            this.identify(userId, connection);
          } else if (userId !== undefined) {
            await this.receive(userId, message);
          }
        }),
      () => void this.serially(async () => (userId === undefined ? undefined : this.leave(userId))),
    );
    return connection;
  }

  /** The server end of a user's connection, to inject opcodes. */
  connection(userId: string): MemoryConnection {
    const connection = this.connections.get(userId);
    if (!connection) throw new Error(`${userId} is not connected`);
    return connection;
  }

  /** Announce a transition to protocol version 0 (op 21); op 22 follows every op 23. */
  downgrade(): Promise<void> {
    return this.serially(async () => {
      this.resetGroup();
      this.version = 0;
      const recipients = [...this.connections.keys()];
      const id = this.startTransition(recipients);
      for (const userId of recipients) {
        this.connection(userId).sendJson(Op.daveProtocolPrepareTransition, {
          transition_id: id,
          protocol_version: 0,
        });
      }
    });
  }

  /** Back to E2EE: op 25 and prepare_epoch 1; the group is created from the key packages that follow. */
  upgrade(): Promise<void> {
    return this.serially(async () => {
      this.version = 1;
      this.resetGroup();
      for (const connection of this.connections.values()) {
        connection.sendBinary(Op.mlsExternalSenderPackage, this.sender.externalSender);
        connection.sendJson(Op.daveProtocolPrepareEpoch, { epoch: 1, protocol_version: 1 });
      }
    });
  }

  /** Client opcodes and test commands run one at a time; the promise settles when this one has run. */
  private serially(operation: () => Promise<void>): Promise<void> {
    this.busy++;
    this.queue = this.queue
      .then(operation)
      .catch((err: Error) => {
        this.errors.push(err.message);
      })
      .finally(() => {
        this.busy--;
        changes.notify();
      });
    return this.queue;
  }

  private identify(userId: string, connection: MemoryConnection): void {
    const others = [...this.connections.keys()];
    this.connections.set(userId, connection);
    connection.sendJson(Op.sessionDescription, { dave_protocol_version: this.version });
    if (others.length > 0) connection.sendJson(Op.clientsConnect, { user_ids: others });
    for (const other of others) this.connection(other).sendJson(Op.clientsConnect, { user_ids: [userId] });
    if (this.version > 0) connection.sendBinary(Op.mlsExternalSenderPackage, this.sender.externalSender);
  }

  private async receive(userId: string, message: ClientMessage): Promise<void> {
    if (message.kind === "binary") {
      if (message.op === Op.mlsKeyPackage) return this.keyPackage(userId, message.payload);
      if (message.op === Op.mlsCommitWelcome) return this.commit(userId, message.payload);
    } else {
      const { transition_id } = message.d as { transition_id: number };
      if (message.op === Op.daveProtocolReadyForTransition) return this.ready(userId, transition_id);
      if (message.op === Op.mlsInvalidCommitWelcome) return this.invalid(userId);
    }
    this.errors.push(`unexpected ${message.kind} op ${message.op} from ${userId}`);
  }

  private async keyPackage(userId: string, keyPackage: Uint8Array): Promise<void> {
    const { credential } = inspectKeyPackage(keyPackage);
    if (credential.type !== "basic" || hex(credential.identity) !== hex(snowflakeBytes(userId))) {
      this.errors.push(`key package from ${userId} names someone else`);
      return;
    }
    // The seed's own key package (again, after a reset of its local group) changes nothing.
    if (!this.established && this.leaves[0] === userId) return;
    if (!this.established && this.leaves.length === 0) {
      this.leaves = [userId];
      return;
    }
    this.keyPackages.set(userId, keyPackage);
    this.changes.push({ kind: "add", userId });
    await this.propose();
  }

  /** Broadcast proposals for the waiting changes to the committing members (op 27), in the current epoch. */
  private async propose(): Promise<void> {
    if (this.phase === "transitioning" || this.changes.length === 0) return;
    const messages: Uint8Array[] = [];
    for (const change of this.changes.splice(0)) {
      let body: { add: Uint8Array } | { remove: number };
      if (change.kind === "add") {
        const keyPackage = this.keyPackages.get(change.userId);
        if (!keyPackage || !this.connections.has(change.userId)) continue;
        body = { add: keyPackage };
      } else {
        const leaf = this.leaves.indexOf(change.userId);
        if (leaf < 0) continue;
        body = { remove: leaf };
      }
      const message = await this.sender.proposal(this.groupEpoch, body);
      messages.push(message);
      this.proposals.push({ ...change, ref: proposalRef(message) });
    }
    if (messages.length === 0) return;
    this.phase = "proposing";
    for (const userId of this.committers()) {
      this.connection(userId).sendBinary(Op.mlsProposals, TestGateway.append(messages));
    }
  }

  private committers(): string[] {
    return this.members.filter((u) => this.connections.has(u) && !this.flagged.has(u));
  }

  /** op 28: the first valid commit of the epoch wins (dave-notes "Gateway side"). */
  private async commit(userId: string, payload: Uint8Array): Promise<void> {
    const accepted = this.phase === "proposing" && this.committers().includes(userId) && this.check(payload);
    if (!accepted) {
      this.commitsDropped++;
      return;
    }
    const { commit, welcome, changes } = accepted;
    for (const change of changes.filter((c) => c.kind === "remove")) {
      this.leaves[this.leaves.indexOf(change.userId)] = null;
      this.joinedAt.delete(change.userId);
      this.flagged.delete(change.userId);
    }
    const added = changes.filter((c) => c.kind === "add").map((c) => c.userId);
    for (const userId of added) {
      const free = this.leaves.indexOf(null);
      if (free < 0) this.leaves.push(userId);
      else this.leaves[free] = userId;
      this.keyPackages.delete(userId);
    }
    this.groupEpoch++;
    this.established = true;
    this.proposals = [];
    const id = this.startTransition(this.committers());
    for (const member of this.members) if (!this.joinedAt.has(member)) this.joinedAt.set(member, id);
    for (const connection of this.connections.values()) {
      connection.sendBinary(Op.mlsAnnounceCommitTransition, transitionPayload(id, commit));
    }
    for (const userId of added) {
      this.connections.get(userId)?.sendBinary(Op.mlsWelcome, transitionPayload(id, welcome as Uint8Array));
    }
  }

  /** A commit for this epoch, from a member, referencing exactly the epoch's proposals, with a Welcome iff it adds. */
  private check(
    payload: Uint8Array,
  ): { commit: Uint8Array; welcome?: Uint8Array; changes: Proposal[] } | null {
    let split: ReturnType<typeof splitCommitWelcome>;
    let info: ReturnType<typeof inspectMessage>;
    try {
      split = splitCommitWelcome(payload);
      info = inspectMessage(split.commit);
    } catch {
      return null;
    }
    if (info.wireFormat !== "mls_public_message" || info.contentType !== "commit") return null;
    if (info.epoch !== this.groupEpoch || info.sender.type !== "member") return null;
    const refs = info.proposals.map((p) => (p.type === "reference" ? hex(p.ref) : "by value"));
    const changes = refs.map((ref) => this.proposals.find((p) => p.ref === ref));
    if (changes.length !== this.proposals.length || changes.some((c) => c === undefined)) return null;
    const adds = changes.some((c) => c?.kind === "add");
    if (adds !== (split.welcome !== undefined)) return null;
    return { ...split, changes: changes as Proposal[] };
  }

  private startTransition(recipients: readonly string[]): number {
    const id = this.nextTransitionId;
    this.nextTransitionId = (id % 0xffff) + 1;
    this.phase = "transitioning";
    this.transition = { id, waiting: new Set(recipients), recipients };
    return id;
  }

  /** op 23. */
  private async ready(userId: string, transitionId: number): Promise<void> {
    if (this.transition?.id !== transitionId) return;
    this.transition.waiting.delete(userId);
    await this.executeWhenReady();
  }

  private async executeWhenReady(): Promise<void> {
    const transition = this.transition;
    if (!transition || transition.waiting.size > 0) return;
    this.transition = undefined;
    this.phase = "idle";
    for (const userId of transition.recipients) {
      const connection = this.connections.get(userId);
      if (!connection) continue;
      connection.sendJson(Op.daveProtocolExecuteTransition, { transition_id: transition.id });
      this.lastExecuted.set(userId, transition.id);
    }
    await this.propose();
  }

  /** op 31: the member went back to pending; it is removed, and re-added with the key package it sends next. */
  private async invalid(userId: string): Promise<void> {
    this.joinedAt.delete(userId);
    this.transition?.waiting.delete(userId);
    if (this.established && this.leaves.includes(userId)) {
      this.flagged.add(userId);
      this.changes.push({ kind: "remove", userId });
    }
    await this.executeWhenReady();
    await this.propose();
  }

  private async leave(userId: string): Promise<void> {
    this.connections.delete(userId);
    this.keyPackages.delete(userId);
    this.joinedAt.delete(userId);
    this.lastExecuted.delete(userId);
    this.changes = this.changes.filter((c) => c.userId !== userId);
    this.transition?.waiting.delete(userId);
    for (const connection of this.connections.values()) {
      connection.sendJson(Op.clientDisconnect, { user_id: userId });
    }
    if (this.leaves.includes(userId)) {
      const remaining = this.members.filter((u) => u !== userId);
      const joining = this.keyPackages.size > 0;
      if (!this.established || remaining.length === 0) {
        this.resetGroup();
        this.reseed();
      } else if (remaining.length === 1 && !joining) {
        this.soleMemberReset(remaining[0] as string);
        return;
      } else {
        this.changes.push({ kind: "remove", userId });
      }
    }
    await this.executeWhenReady();
    await this.propose();
  }

  /** The last member alone: a new, unestablished group (op 24 epoch 1, then op 21 transition 0). */
  private soleMemberReset(userId: string): void {
    this.resetGroup();
    this.joinedAt.delete(userId);
    this.lastExecuted.set(userId, 0);
    const connection = this.connection(userId);
    connection.sendJson(Op.daveProtocolPrepareEpoch, { epoch: 1, protocol_version: this.version });
    connection.sendJson(Op.daveProtocolPrepareTransition, {
      transition_id: 0,
      protocol_version: this.version,
    });
  }

  /** The seed left before the group existed: the next waiting user seeds it, the others are proposed to it. */
  private reseed(): void {
    const [seed, ...others] = this.keyPackages.keys();
    if (seed === undefined) return;
    this.keyPackages.delete(seed);
    this.leaves = [seed];
    for (const userId of others) this.changes.push({ kind: "add", userId });
  }

  private resetGroup(): void {
    this.established = false;
    this.groupEpoch = 0n;
    this.leaves = [];
    this.proposals = [];
    this.changes = [];
    this.flagged.clear();
    this.joinedAt.clear();
    this.transition = undefined;
    this.phase = "idle";
  }
}
