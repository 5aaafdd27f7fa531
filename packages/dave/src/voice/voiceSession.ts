import { EventEmitter } from "node:events";
import { DaveError, type TrustRefusalReason } from "../errors.js";
import type { Codec, MediaType } from "../media/codecs.js";
import { CRYPTOR_EXPIRY_MS } from "../media/cryptorManager.js";
import type { DecryptResult } from "../media/decryptor.js";
import { Encryptor, type EncryptResult } from "../media/encryptor.js";
import type { KeyRatchet } from "../media/keyRatchet.js";
import { parseExternalSenderPackage } from "../session/gatewayPayloads.js";
import type { KeyStore } from "../session/keyStore.js";
import { Session } from "../session/session.js";
import { type Snowflake, toSnowflake } from "../session/snowflake.js";
import { verificationCode, voicePrivacyCode } from "../verification/displayableCode.js";
import { Decryptors } from "./decryptors.js";
import type { VoiceSessionEvents } from "./events.js";
import { DAVE_PROTOCOL_VERSION, INIT_TRANSITION_ID, VoiceOpcode as Op } from "./opcodes.js";
import {
  parseClientDisconnect,
  parseClientsConnect,
  parseExecuteTransition,
  parsePrepareEpoch,
  parsePrepareTransition,
  parseSessionDescription,
  parseTransitionMessage,
} from "./payloads.js";
import type { GatewayMessage, VoiceGatewayTransport } from "./transport.js";

export interface VoiceSessionOptions {
  transport: VoiceGatewayTransport;
  userId: Snowflake;
  channelId: Snowflake;
  /** Announced in identify as `max_dave_protocol_version`; 0 refuses E2EE. Default: DAVE_PROTOCOL_VERSION. */
  maxProtocolVersion?: number;
  /** Persist the signature key under this id (needs keyStore), so verification codes stay stable. */
  authSessionId?: string;
  keyStore?: KeyStore;
  /**
   * Refuse any transition to protocol version 0 (op 4, 21 or 24 with version 0): the session stays E2EE (or never
   * becomes ready), emits `downgradeRefused`, and drops unencrypted frames. Needs maxProtocolVersion ≥ 1.
   */
  requireE2EE?: boolean;
  /** How long a past epoch's receive ratchets keep decrypting frames in flight before they are erased (10 s). */
  pastEpochRetentionMs?: number;
  /** The clock (ms) for retention and expiry; injectable for tests. Default: Date.now. */
  now?: () => number;
}

export type VoiceDecryptResult = DecryptResult | { readonly ok: false; readonly reason: "unknown-user" };

/** Discord sends audio as Opus; every other codec is video. */
const mediaTypeOf = (codec: Codec): MediaType => (codec === "opus" ? "audio" : "video");

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** setTimeout's longest delay; a longer retention is still honoured by the sweeps of `decrypt`. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The epoch a prepare_epoch announces when the group is (re)created. */
const NEW_GROUP_EPOCH = 1;

/**
 * One member's DAVE voice session, driven by the voice gateway (dave-notes "Transitions"): the MLS `Session`,
 * this member's `Encryptor`, and a `Decryptor` per other user. Opcodes are handled one at a time in arrival
 * order; receive ratchets change as soon as a commit or Welcome is processed, the sending ratchet only when
 * the gateway executes the transition, and no frame leaves unencrypted once the call is E2EE.
 */
export class VoiceSession extends EventEmitter<VoiceSessionEvents> {
  readonly userId: string;
  readonly channelId: string;
  readonly maxProtocolVersion: number;
  readonly requireE2EE: boolean;
  private readonly transport: VoiceGatewayTransport;
  private readonly session: Session;
  private readonly encryptor = new Encryptor();
  private readonly decryptors: Decryptors;
  private readonly retentionMs: number;
  /** Timers that erase past epochs' ratchets when no frame arrives to do it. */
  private readonly erasers = new Set<NodeJS.Timeout>();
  private dropped = 0;
  /** Who may be added to the group: self plus clients_connect minus client_disconnect. */
  private readonly recognized = new Set<string>();
  /** Prepared transitions waiting for execute_transition: id → protocol version. */
  private readonly transitions = new Map<number, number>();
  /** The executed protocol version; undefined until the session description arrives. */
  private executedVersion: number | undefined;
  private currentEpoch = 0n;
  /** The group epoch (by its authenticator) the receive ratchets, and the sending ratchet, came from. */
  private receivingEpoch = "";
  private sendingEpoch = "";
  private lastRoster = "";
  private wasReady = false;
  private disposed = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(options: VoiceSessionOptions) {
    super();
    const max = options.maxProtocolVersion ?? DAVE_PROTOCOL_VERSION;
    if (!Number.isInteger(max) || max < 0 || max > DAVE_PROTOCOL_VERSION) {
      throw new DaveError("usage", `maxProtocolVersion must be 0–${DAVE_PROTOCOL_VERSION}`);
    }
    this.maxProtocolVersion = max;
    this.requireE2EE = options.requireE2EE ?? false;
    if (this.requireE2EE && max === 0)
      throw new DaveError("usage", "requireE2EE needs maxProtocolVersion ≥ 1");
    const retention = options.pastEpochRetentionMs ?? CRYPTOR_EXPIRY_MS;
    if (!Number.isFinite(retention) || retention < 0) {
      throw new DaveError("usage", "pastEpochRetentionMs must be a non-negative number of milliseconds");
    }
    this.retentionMs = retention;
    this.decryptors = new Decryptors(options.now ?? Date.now, retention);
    this.userId = toSnowflake(options.userId).toString();
    this.channelId = toSnowflake(options.channelId).toString();
    this.transport = options.transport;
    this.session = new Session({
      authSessionId: options.authSessionId,
      keyStore: options.keyStore,
      onMlsFailure: (source, reason, refusal) => this.fail(source, reason, refusal),
    });
    this.recognized.add(this.userId);
    this.transport.onMessage((message) => this.enqueue(message));
  }

  /** The executed protocol version (0 before the session description and in non-E2EE calls). */
  get protocolVersion(): number {
    return this.executedVersion ?? 0;
  }

  /** Media can flow: protocol version 0, or E2EE with this member's own sender ratchet installed. */
  get ready(): boolean {
    if (this.disposed || this.executedVersion === undefined) return false;
    if (this.executedVersion === 0) return true;
    return this.encryptor.hasKeyRatchet && !this.encryptor.passthroughMode;
  }

  /** The MLS epoch of the group this member last joined or committed to; 0 before the call's group exists. */
  get epoch(): bigint {
    return this.currentEpoch;
  }

  /** The latest epoch's authenticator (empty before the call's group exists). */
  get epochAuthenticator(): Uint8Array {
    return this.session.lastEpochAuthenticator.slice();
  }

  /** The 30-digit code all members see for the latest epoch (empty before the call's group exists). */
  get voicePrivacyCode(): string {
    return voicePrivacyCode(this.session.lastEpochAuthenticator);
  }

  /** Unencrypted incoming frames refused (outside passthrough; always, with requireE2EE). */
  get droppedPlaintextFrames(): number {
    return this.dropped;
  }

  get recognizedUserIds(): string[] {
    return [...this.recognized];
  }

  /** The 45-digit code both this member and `userId` see for their pair; the user must be in the group. */
  async getVerificationCode(userId: Snowflake): Promise<string> {
    const fingerprint = await this.session.getPairwiseFingerprint(0, userId);
    if (fingerprint.length === 0) {
      throw new DaveError("usage", `user ${String(userId)} is not in this call's group`);
    }
    return verificationCode(fingerprint);
  }

  /**
   * Encrypt one outgoing frame. Once the call is E2EE this never returns plaintext: without a sender ratchet it
   * returns `{ ok: false, reason: "missing-key-ratchet" }`. `ssrc` keeps each stream's codec apart.
   */
  encrypt(frame: Uint8Array, codec: Codec = "opus", ssrc = 0): EncryptResult {
    this.assertUsable();
    if (this.encryptor.codecForSsrc(ssrc) !== codec) this.encryptor.assignSsrcToCodec(ssrc, codec);
    return this.encryptor.encrypt(mediaTypeOf(codec), ssrc, frame);
  }

  /** Decrypt one frame from `userId`; never throws for any bytes. */
  decrypt(userId: Snowflake, frame: Uint8Array, codec: Codec = "opus"): VoiceDecryptResult {
    this.assertUsable();
    const decryptor = this.decryptors.get(typeof userId === "bigint" ? userId.toString() : userId);
    if (decryptor === undefined) return { ok: false, reason: "unknown-user" };
    const result = decryptor.decrypt(mediaTypeOf(codec), frame);
    if (!result.ok && result.reason === "not-encrypted") this.dropped++;
    return result;
  }

  /** Drop all keys and group state and stop handling opcodes; the session cannot be used again. */
  dispose(): void {
    this.disposed = true;
    for (const timer of this.erasers) clearTimeout(timer);
    this.erasers.clear();
    this.session.dispose();
    this.encryptor.setKeyRatchet(null);
    this.decryptors.clear();
    this.transitions.clear();
    this.removeAllListeners();
  }

  private assertUsable(): void {
    if (this.disposed) throw new DaveError("usage", "the voice session was disposed");
  }

  /** Opcodes run strictly in arrival order, whatever each one awaits. */
  private enqueue(message: GatewayMessage): void {
    // handle() turns every failure into a `failure` event; only a listener's own exception gets here, and it
    // is rethrown outside the queue (as EventEmitter would) so that later opcodes still run.
    this.queue = this.queue
      .then(() => this.handle(message))
      .catch((err) =>
        queueMicrotask(() => {
          throw err;
        }),
      );
  }

  private async handle(message: GatewayMessage): Promise<void> {
    if (this.disposed) return;
    try {
      await this.dispatch(message);
      this.updateReady();
    } catch (err) {
      this.fail(`op ${String(message?.op)}`, reasonOf(err));
    }
  }

  private async dispatch(message: GatewayMessage): Promise<void> {
    if (message.kind === "json") {
      switch (message.op) {
        case Op.sessionDescription:
          return this.onSessionDescription(parseSessionDescription(message.d));
        case Op.clientsConnect:
          return this.onClientsConnect(parseClientsConnect(message.d));
        case Op.clientDisconnect:
          return this.onClientDisconnect(parseClientDisconnect(message.d));
        case Op.daveProtocolPrepareTransition: {
          const { transitionId, protocolVersion } = parsePrepareTransition(message.d);
          if (this.refusesDowngrade(protocolVersion, message.op, transitionId)) return;
          return this.prepareTransition(transitionId, this.supported(protocolVersion));
        }
        case Op.daveProtocolExecuteTransition:
          return this.onExecuteTransition(parseExecuteTransition(message.d));
        case Op.daveProtocolPrepareEpoch: {
          const { epoch, protocolVersion } = parsePrepareEpoch(message.d);
          if (this.refusesDowngrade(protocolVersion, message.op)) return;
          return this.onPrepareEpoch(epoch, this.supported(protocolVersion));
        }
      }
    } else {
      switch (message.op) {
        case Op.mlsExternalSenderPackage:
          return this.onExternalSender(message.payload);
        case Op.mlsProposals:
          return this.onProposals(message.payload);
        case Op.mlsAnnounceCommitTransition:
          return this.onAnnounceCommit(message.payload);
        case Op.mlsWelcome:
          return this.onWelcome(message.payload);
      }
    }
    throw new DaveError("malformed", `unexpected ${message.kind} opcode ${message.op}`);
  }

  /** op 4: the call's initial protocol version. */
  private async onSessionDescription(version: number): Promise<void> {
    if (this.refusesDowngrade(version, Op.sessionDescription)) return;
    this.executedVersion = this.supported(version);
    if (version === 0) {
      this.encryptor.setPassthroughMode(true);
      this.decryptors.allowPassthrough();
      return;
    }
    this.encryptor.setPassthroughMode(false);
    await this.createLocalGroup(version);
  }

  /** op 11. */
  private onClientsConnect(userIds: string[]): void {
    for (const userId of userIds) {
      if (userId === this.userId) continue;
      this.recognized.add(userId);
      this.decryptors.add(userId);
    }
  }

  /** op 13: the user can no longer be added, and its frames are no longer expected. */
  private onClientDisconnect(userId: string): void {
    if (userId === this.userId) return;
    this.recognized.delete(userId);
    this.decryptors.delete(userId);
  }

  /** op 25: with a protocol version known, this (re)creates the local group, which needs a key package sent. */
  private async onExternalSender(payload: Uint8Array): Promise<void> {
    parseExternalSenderPackage(payload);
    await this.session.setExternalSender(payload);
    if (this.session.protocolVersion > 0) this.groupReset();
  }

  /** op 24: epoch 1 recreates the group; the encryptor keeps its ratchet until a transition executes. */
  private async onPrepareEpoch(epoch: number, version: number): Promise<void> {
    // Any other epoch keeps the group, and the transition that follows (op 21) carries the version.
    if (epoch === NEW_GROUP_EPOCH) await this.createLocalGroup(version);
  }

  /** op 27: every member commits what is pending; the gateway picks the first commit. */
  private async onProposals(payload: Uint8Array): Promise<void> {
    const produced = await this.session.processProposals(payload, this.recognized);
    if (produced === null) return;
    const { commit, welcome } = produced;
    this.send(Op.mlsCommitWelcome, welcome ? Buffer.concat([commit, welcome]) : commit);
  }

  /** op 29. */
  private async onAnnounceCommit(payload: Uint8Array): Promise<void> {
    const { transitionId, body } = parseTransitionMessage(payload, "announce_commit_transition");
    const result = await this.session.processCommit(body);
    if (result.kind === "ignored") return;
    if (result.kind === "failed") return this.recover(transitionId);
    await this.joined(transitionId, result.epoch);
  }

  /** op 30. */
  private async onWelcome(payload: Uint8Array): Promise<void> {
    const { transitionId, body } = parseTransitionMessage(payload, "welcome");
    const result = await this.session.processWelcome(body, this.recognized);
    if (result === null) return this.recover(transitionId);
    await this.joined(transitionId, result.epoch);
  }

  /** A processed commit or Welcome: receive ratchets for the new epoch now, the sending one on execute. */
  private async joined(transitionId: number, epoch: bigint): Promise<void> {
    this.currentEpoch = epoch;
    this.emitRoster();
    await this.prepareTransition(transitionId, this.session.protocolVersion);
  }

  /** An unprocessable commit or Welcome: flag it (op 31), then start over with a fresh local group. */
  private async recover(transitionId: number): Promise<void> {
    this.sendJson(Op.mlsInvalidCommitWelcome, { transition_id: transitionId });
    const version = this.session.protocolVersion;
    if (version > 0) await this.createLocalGroup(version);
  }

  /** op 21, or a processed commit/Welcome: receivers switch now; transition 0 also executes at once. */
  private async prepareTransition(transitionId: number, version: number): Promise<void> {
    if (version === 0) {
      this.decryptors.allowPassthrough();
    } else {
      // Ratchets change with the epoch only: installing the same epoch again would just reset replay windows.
      const epoch = this.epochId();
      const changed = epoch !== this.receivingEpoch;
      this.decryptors.install(changed ? await this.receiveRatchets() : new Map());
      this.receivingEpoch = epoch;
      if (changed) this.scheduleErasure();
    }
    if (transitionId === INIT_TRANSITION_ID) return this.execute(transitionId, version);
    this.transitions.set(transitionId, version);
    this.sendJson(Op.daveProtocolReadyForTransition, { transition_id: transitionId });
  }

  /**
   * With requireE2EE, version 0 is refused: nothing changes (no op 23, no passthrough) but the event. The
   * session stays on its E2EE epoch, or, refused at op 4, never becomes ready.
   */
  private refusesDowngrade(version: number, opcode: number, transitionId?: number): boolean {
    if (version !== 0 || !this.requireE2EE) return false;
    this.emit("downgradeRefused", transitionId === undefined ? { opcode } : { opcode, transitionId });
    return true;
  }

  /** Erase past epochs' ratchets once their retention is over, even if no frame arrives to do it. */
  private scheduleErasure(): void {
    const timer = setTimeout(
      () => {
        this.erasers.delete(timer);
        this.decryptors.eraseExpired();
      },
      Math.min(this.retentionMs + 1, MAX_TIMER_MS),
    );
    timer.unref();
    this.erasers.add(timer);
  }

  /** A ratchet for every other group member, and null for recognized users outside the group. */
  private async receiveRatchets(): Promise<Map<string, KeyRatchet | null>> {
    const members = new Set(this.session.userIds());
    members.delete(this.userId);
    const ratchets = new Map<string, KeyRatchet | null>();
    for (const userId of new Set([...this.decryptors.userIds(), ...members])) {
      ratchets.set(userId, members.has(userId) ? await this.session.getKeyRatchet(userId) : null);
    }
    return ratchets;
  }

  /** op 22. */
  private async onExecuteTransition(transitionId: number): Promise<void> {
    const version = this.transitions.get(transitionId);
    // Not prepared here (e.g. the commit this member flagged as invalid): nothing to switch to.
    if (version === undefined) return;
    this.transitions.delete(transitionId);
    await this.execute(transitionId, version);
  }

  /** Only now does this member's own sending ratchet (or passthrough) change. */
  private async execute(transitionId: number, version: number): Promise<void> {
    if (version === 0) {
      this.encryptor.setPassthroughMode(true);
      await this.session.reset();
      this.groupReset();
    } else {
      await this.switchSendingRatchet();
      this.encryptor.setPassthroughMode(false);
    }
    this.executedVersion = version;
    this.emit("transition", { transitionId, protocolVersion: version });
  }

  /**
   * This member's ratchet for the current epoch, fetched once per epoch: a second one would restart nonces under
   * the same key. Without a group (a sole-member reset) the previous ratchet stays: never a missing one.
   */
  private async switchSendingRatchet(): Promise<void> {
    const epoch = this.epochId();
    if (epoch === this.sendingEpoch) return;
    const ratchet = await this.session.getKeyRatchet(this.userId);
    if (ratchet === null) return;
    this.encryptor.setKeyRatchet(ratchet);
    this.sendingEpoch = epoch;
  }

  /** Names the current group epoch; empty while there is no call group. */
  private epochId(): string {
    return Buffer.from(this.session.lastEpochAuthenticator).toString("hex");
  }

  /** A fresh local group (Session.init keeps the external sender) and its key package (op 26). */
  private async createLocalGroup(version: number): Promise<void> {
    await this.session.init(version, this.channelId, this.userId);
    this.groupReset();
  }

  /** After the local group was (re)made or dropped: epoch 0, no roster, and a key package if there is one. */
  private groupReset(): void {
    this.currentEpoch = 0n;
    this.emitRoster();
    const keyPackage = this.session.getMarshalledKeyPackage();
    if (keyPackage.length > 0) this.send(Op.mlsKeyPackage, keyPackage);
  }

  private supported(version: number): number {
    if (version > this.maxProtocolVersion) {
      throw new DaveError("invalid", `protocol version ${version} is above ${this.maxProtocolVersion}`);
    }
    return version;
  }

  private emitRoster(): void {
    const roster = this.session.userIds();
    const key = roster.join(",");
    if (key === this.lastRoster) return;
    this.lastRoster = key;
    this.emit("roster", roster);
  }

  private updateReady(): void {
    const ready = this.ready;
    if (ready && !this.wasReady) this.emit("ready");
    this.wasReady = ready;
  }

  private send(op: number, payload: Uint8Array): void {
    if (!this.disposed) this.transport.sendBinary(op, payload);
  }

  private sendJson(op: number, d: unknown): void {
    if (!this.disposed) this.transport.sendJson(op, d);
  }

  private fail(source: string, reason: string, refusal?: TrustRefusalReason): void {
    if (this.disposed) return;
    this.emit("failure", refusal === undefined ? { source, reason } : { source, reason, refusal });
  }
}
