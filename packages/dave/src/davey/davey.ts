import { generateDisplayableCode } from "../verification/displayableCode.js";
import { pairwiseFingerprint } from "../verification/fingerprint.js";
import {
  booleanArg,
  bufferArg,
  enumArg,
  keyPairArg,
  snowflakeArg,
  stringArg,
  u16Arg,
  u32Arg,
  userIdsArg,
} from "./args.js";
import {
  Codec,
  DAVE_PROTOCOL_VERSION,
  MediaType,
  memberName,
  ProposalsOperationType,
  SessionStatus,
} from "./enums.js";
import { daveyError } from "./errors.js";
import { DaveyMedia } from "./media.js";
import type { HostApi, HostReply, HostState, InitArgs, SenderKey } from "./protocol.js";
import { SyncWorker } from "./syncWorker.js";
import {
  asBuffer,
  type DecryptionStats,
  type EncryptionStats,
  type ProposalsResult,
  type SigningKeyPair,
} from "./types.js";

/** DAVE protocol version 1's ciphersuite: MLS_128_DHKEMP256_AES128GCM_SHA256_P256. */
const CIPHERSUITE = 2;
/** How long the caller may block on one MLS operation before the worker counts as hung. */
const CALL_TIMEOUT_MS = 10_000;
/** davey's default passthrough transition expiry, in seconds. */
const PASSTHROUGH_EXPIRY_SECONDS = 10;

/** One MLS worker serves every session of this thread; a new one replaces it if it fails. */
let shared: SyncWorker<HostApi> | undefined;
function mlsWorker(): SyncWorker<HostApi> {
  if (!shared?.running) {
    shared = new SyncWorker<HostApi>(new URL("./worker.js", import.meta.url), CALL_TIMEOUT_MS);
  }
  return shared;
}

/** davey has no close(): a collected session's MLS state is dropped from its worker. */
const collected = new FinalizationRegistry<{ worker: SyncWorker<HostApi>; id: number }>(({ worker, id }) =>
  worker.notify("dispose", id),
);

/** Constructor and reinit arguments, converted and checked in davey's order. */
function initArgs(protocolVersion: unknown, userId: unknown, channelId: unknown, keyPair: unknown): InitArgs {
  const version = u16Arg(protocolVersion);
  stringArg(userId);
  stringArg(channelId);
  const pair = keyPairArg(keyPair);
  if (version === 0) throw daveyError("Unsupported protocol version", "InvalidArg");
  return {
    protocolVersion: version,
    userId: snowflakeArg(userId, "user id"),
    channelId: snowflakeArg(channelId, "channel id"),
    keyPair: pair,
  };
}

/** Parley's addition to davey's constructor (a fifth argument, which davey-compatible callers never pass). */
export interface DaveSessionOptions {
  /** Refuse passthrough (`setPassthroughMode(true)` throws `E2EERequired`); clear packets are always dropped. */
  requireE2EE?: boolean;
}

function optionsArg(value: unknown): { requireE2EE: boolean } {
  if (value === undefined || value === null) return { requireE2EE: false };
  if (typeof value !== "object") {
    throw daveyError("Failed to convert napi value into rust type `DaveSessionOptions`", "ObjectExpected");
  }
  const { requireE2EE } = value as Record<string, unknown>;
  return { requireE2EE: requireE2EE === undefined ? false : booleanArg(requireE2EE) };
}

/**
 * A DAVE session with exactly @snazzah/davey 0.1.12's API, synchronous like davey's. MLS runs on a Parley
 * `Session` in a worker thread, each call blocking until it answers; media encryption runs here, on ratchets
 * installed from the base secrets the worker returns after each commit or Welcome.
 */
export class DAVESession {
  readonly #worker: SyncWorker<HostApi>;
  readonly #id: number;
  #init: InitArgs;
  #state: HostState;
  #privacyCode = "";
  readonly #media = new DaveyMedia();
  readonly #requireE2EE: boolean;

  /**
   * @param protocolVersion The protocol version to use.
   * @param userId The user ID of the session.
   * @param channelId The channel ID of the session.
   * @param keyPair The key pair to use for this session. Will generate a new one if not specified.
   * @param options Parley only: `requireE2EE` refuses passthrough for the session's lifetime.
   */
  constructor(
    protocolVersion: number,
    userId: string,
    channelId: string,
    keyPair?: SigningKeyPair | null,
    options?: DaveSessionOptions | null,
  ) {
    const init = initArgs(protocolVersion, userId, channelId, keyPair);
    this.#requireE2EE = optionsArg(options).requireE2EE;
    if (init.protocolVersion !== DAVE_PROTOCOL_VERSION) {
      const version = init.protocolVersion;
      throw daveyError(
        `Failed to initialize session: UnsupportedProtocolVersion(UnsupportedProtocolVersion(${version}))`,
      );
    }
    this.#worker = mlsWorker();
    const { id, state } = this.#worker.call("create", init);
    this.#id = id;
    this.#init = init;
    this.#state = state;
    collected.register(this, { worker: this.#worker, id });
  }

  /** Resets and re-initializes the session (a new key pair unless one is given). */
  reinit(protocolVersion: number, userId: string, channelId: string, keyPair?: SigningKeyPair | null): void {
    const init = initArgs(protocolVersion, userId, channelId, keyPair);
    this.#settle(this.#worker.call("reinit", this.#id, init));
    this.#init = init;
    this.#privacyCode = "";
    this.#media.clear();
  }

  /** Resets the session by deleting the group and clearing the storage (media keys stay). */
  reset(): void {
    this.#settle(this.#worker.call("reset", this.#id));
  }

  /** The DAVE protocol version used for this session. */
  get protocolVersion(): number {
    return this.#init.protocolVersion;
  }

  /** The user ID for this session. */
  get userId(): string {
    return this.#init.userId;
  }

  /** The channel ID (group ID in MLS standards) for this session. */
  get channelId(): string {
    return this.#init.channelId;
  }

  /** The epoch for this session, `null` if there is no group yet. */
  get epoch(): bigint | null {
    return this.#state.epoch;
  }

  /** Your own leaf index for this session, `null` if there is no group yet. */
  get ownLeafIndex(): number | null {
    return this.#state.ownLeafIndex;
  }

  /** The ciphersuite being used in this session. */
  get ciphersuite(): number {
    return CIPHERSUITE;
  }

  /** The current status of the session. */
  get status(): SessionStatus {
    return this.#state.status;
  }

  /** Whether the session is ready to encrypt/decrypt. */
  get ready(): boolean {
    return this.#state.ready;
  }

  /** Get the epoch authenticator of this session's group. */
  getEpochAuthenticator(): Buffer | null {
    const authenticator = this.#state.epochAuthenticator;
    return authenticator ? Buffer.from(authenticator) : null;
  }

  /** The voice privacy code (30 digits) since the last commit or Welcome, or an empty string before one. */
  get voicePrivacyCode(): string {
    return this.#privacyCode;
  }

  /** Set the external sender (op 25); throws if it is invalid or the group has been established already. */
  setExternalSender(externalSenderData: Buffer): void {
    this.#settle(this.#worker.call("setExternalSender", this.#id, bufferArg(externalSenderData)));
  }

  /** Create, store, and return a fresh serialized key package (op 26). */
  getSerializedKeyPackage(): Buffer {
    return asBuffer(this.#settle(this.#worker.call("createKeyPackage", this.#id)));
  }

  /** Process op 27's proposals; returns the commit (and Welcome) to send as op 28, if there is one. */
  processProposals(
    operationType: ProposalsOperationType,
    proposals: Buffer,
    recognizedUserIds?: string[] | null,
  ): ProposalsResult {
    const operation = enumArg(ProposalsOperationType, "ProposalsOperationType", operationType);
    const payload = bufferArg(proposals);
    const recognized = userIdsArg(recognizedUserIds);
    const produced = this.#settle(
      this.#worker.call("processProposals", this.#id, operation, payload, recognized),
    );
    const result: ProposalsResult = {};
    if (produced.commit) result.commit = asBuffer(produced.commit);
    if (produced.welcome) result.welcome = asBuffer(produced.welcome);
    return result;
  }

  /** Process op 30's Welcome; throws if it is invalid (send op 31 then). */
  processWelcome(welcome: Buffer): void {
    this.#established(this.#settle(this.#worker.call("processWelcome", this.#id, bufferArg(welcome))));
  }

  /** Process op 29's commit; throws if it is invalid (send op 31 then). */
  processCommit(commit: Buffer): void {
    this.#established(this.#settle(this.#worker.call("processCommit", this.#id, bufferArg(commit))));
  }

  /** The verification code with another member: `generateDisplayableCode(getPairwiseFingerprint(0, userId), 45, 5)`. */
  getVerificationCode(userId: string): Promise<string> {
    return this.#fingerprint(0, stringArg(userId)).then((fingerprint) =>
      generateDisplayableCode(fingerprint, 45, 5),
    );
  }

  /** Create a pairwise fingerprint of you and another member. */
  getPairwiseFingerprint(version: number, userId: string): Promise<Buffer> {
    return this.#fingerprint(u16Arg(version), stringArg(userId)).then(asBuffer);
  }

  /** End-to-end encrypt a packet. */
  encrypt(mediaType: MediaType, codec: Codec, packet: Buffer): Buffer {
    const media = enumArg(MediaType, "MediaType", mediaType);
    const frameCodec = enumArg(Codec, "Codec", codec);
    const frame = bufferArg(packet);
    if (!this.#state.ready) throw daveyError("Failed to encrypt: NotReady");
    return this.#media.encrypt(media, frameCodec, frame);
  }

  /** End-to-end encrypt an opus packet: `encrypt(MediaType.AUDIO, Codec.OPUS, packet)`. */
  encryptOpus(packet: Buffer): Buffer {
    return this.encrypt(MediaType.AUDIO, Codec.OPUS, packet);
  }

  /** Get encryption stats (audio unless told). */
  getEncryptionStats(mediaType?: MediaType | null): EncryptionStats | null {
    return this.#media.encryptionStats(optionalMediaType(mediaType));
  }

  /** Decrypt an end-to-end encrypted packet. */
  decrypt(userId: string, mediaType: MediaType, packet: Buffer): Buffer {
    const id = snowflakeArg(userId, "user id");
    const media = enumArg(MediaType, "MediaType", mediaType);
    return this.#media.decrypt(id, media, bufferArg(packet));
  }

  /** Get decryption stats (audio unless told). */
  getDecryptionStats(userId: string, mediaType?: MediaType | null): DecryptionStats | null {
    const media = optionalMediaType(mediaType);
    return this.#media.decryptionStats(snowflakeArg(userId, "user id"), media);
  }

  /** The IDs of the users in the current group, or an empty array if there is no group. */
  getUserIds(): string[] {
    return this.#state.members.map(([userId]) => userId);
  }

  /** Whether this user's decryptor lets unencrypted packets through. */
  canPassthrough(userId: string): boolean {
    return this.#media.canPassthrough(snowflakeArg(userId, "user id"));
  }

  /**
   * Set passthrough mode on all decryptors; disabling it takes effect after `transitionExpiry` seconds (10). With
   * `requireE2EE`, enabling it throws `Failed to set passthrough mode: E2EERequired`.
   */
  setPassthroughMode(passthroughMode: boolean, transitionExpiry?: number | null): void {
    const mode = booleanArg(passthroughMode);
    const expiry =
      transitionExpiry === undefined || transitionExpiry === null
        ? PASSTHROUGH_EXPIRY_SECONDS
        : u32Arg(transitionExpiry);
    if (mode && this.#requireE2EE) throw daveyError("Failed to set passthrough mode: E2EERequired");
    this.#media.setPassthroughMode(mode, expiry);
  }

  /** Whether this session was made with `requireE2EE` (Parley only). */
  get requireE2EE(): boolean {
    return this.#requireE2EE;
  }

  /** Unencrypted packets `decrypt` refused, over the session's lifetime (Parley only). */
  get droppedPassthroughPackets(): number {
    return this.#media.droppedPlaintext;
  }

  /** @ignore */
  toString(): string {
    const status = memberName(SessionStatus, this.status);
    return `DAVESession { protocolVersion: ${this.protocolVersion}, userId: ${this.userId}, channelId: ${this.channelId}, ready: ${this.ready}, status: ${status} }`;
  }

  /** Adopt the worker's state; throw its refusal as davey would. */
  #settle<T>(reply: HostReply<T>): T {
    this.#state = reply.state;
    if (!reply.ok) throw daveyError(reply.message);
    return reply.value;
  }

  /** A commit or Welcome applied: new media keys and a new voice privacy code. */
  #established(keys: SenderKey[]): void {
    this.#media.install(this.#init.userId, keys);
    const authenticator = this.#state.epochAuthenticator;
    if (authenticator) this.#privacyCode = generateDisplayableCode(authenticator, 30, 5);
  }

  /** The pairwise fingerprint with a member, from the state as it is now; invalid requests reject. */
  async #fingerprint(version: number, userId: string): Promise<Uint8Array> {
    const fail = (reason: string) => daveyError(`Failed to get key fingerprint pair: ${reason}`);
    const theirId = snowflakeArg(userId, "user id");
    const { status, members, signatureKey } = this.#state;
    if (status === SessionStatus.INACTIVE || status === SessionStatus.PENDING)
      throw fail("NoEstablishedGroup");
    const theirKey = members.find(([id]) => id === theirId)?.[1];
    if (!theirKey) throw fail("UserNotInGroup");
    if (version !== 0) throw fail("GeneratingKeyFingerprint(UnsupportedFormatVersion)");
    return pairwiseFingerprint(version, signatureKey, this.#init.userId, theirKey, theirId);
  }
}

export type DaveSession = DAVESession;

function optionalMediaType(value: unknown): MediaType {
  return value === undefined || value === null ? MediaType.AUDIO : enumArg(MediaType, "MediaType", value);
}
