import {
  createKeyPackage,
  fromBareWelcome,
  generateSignatureKeyPair,
  type IncomingHandshake,
  inspectMessage,
  type KeyPackageBundle,
  loadSuite,
  MlsGroup,
  type MlsSuite,
  type ProposalInfo,
  type SignatureKeyPair,
  type StagedCommit,
  toBareWelcome,
} from "@parley/mls";
import { DaveError, TrustRefusal, type TrustRefusalReason } from "../errors.js";
import { KeyRatchet } from "../media/keyRatchet.js";
import { pairwiseFingerprint } from "../verification/fingerprint.js";
import { checkContinuity, checkOwnLeaf } from "./continuity.js";
import {
  type ExternalSenderPackage,
  parseExternalSenderPackage,
  parseProposalsPayload,
} from "./gatewayPayloads.js";
import type { KeyStore } from "./keyStore.js";
import type { CommitResult, CommitWelcome, GroupView, MlsFailureCallback, WelcomeResult } from "./results.js";
import { type Roster, rosterChange, rosterOf } from "./roster.js";
import {
  type Snowflake,
  snowflakeBytes,
  snowflakeFromIdentity,
  snowflakeLittleEndian,
  toSnowflake,
} from "./snowflake.js";

/** DAVE's only ciphersuite: MLS_128_DHKEMP256_AES128GCM_SHA256_P256. */
const DAVE_CIPHERSUITE = 2;
/** DAVE key packages never expire: not_before 0, not_after 2^64 − 1. */
const FOREVER = { notBefore: 0n, notAfter: (1n << 64n) - 1n };
/** MLS-Exporter label of a sender's media base secret (DAVE "Sender key derivation"). */
const SENDER_KEY_LABEL = "Discord Secure Frames v0";
const SENDER_KEY_LENGTH = 16;
/** Key packages kept for Welcomes: a caller asking for many must not grow this without bound. */
const MAX_KEY_PACKAGES = 16;

export interface SessionOptions {
  /** Persist the signature key under this id, so fingerprints stay stable across sessions. */
  authSessionId?: string;
  /** Where persisted keys live (required with authSessionId). */
  keyStore?: KeyStore;
  onMlsFailure?: MlsFailureCallback;
}

interface Identity {
  readonly protocolVersion: number;
  readonly groupId: Uint8Array;
  readonly selfUserId: string;
  readonly signatureKeys: SignatureKeyPair;
}

/**
 * The MLS side of one DAVE call (libdave's `Session`): a local group until the gateway's commit or Welcome
 * establishes the real one, validated proposals, commits and Welcomes, and the media key for each user.
 * Every operation is queued, so calls never interleave; a failed operation changes nothing.
 */
export class Session {
  private identity?: Identity;
  private suite?: MlsSuite;
  private externalSender?: ExternalSenderPackage;
  /** Every key package handed out since init or reset, newest last: a Welcome may be for any of them. */
  private keyPackages: KeyPackageBundle[] = [];
  /** The one-member group made after op 25, replaced once a commit or Welcome establishes the call's group. */
  private group?: MlsGroup;
  private established = false;
  private pendingCommit?: { bytes: Uint8Array; staged: StagedCommit };
  private lastAuthenticator = new Uint8Array();
  private failureCallback?: MlsFailureCallback;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SessionOptions = {}) {
    this.failureCallback = options.onMlsFailure;
    if (options.authSessionId !== undefined && options.keyStore === undefined) {
      throw new DaveError("usage", "authSessionId needs a keyStore to persist the signature key in");
    }
  }

  get protocolVersion(): number {
    return this.identity?.protocolVersion ?? 0;
  }

  /** The last epoch's authenticator; empty before any commit or Welcome. */
  get lastEpochAuthenticator(): Uint8Array {
    return this.lastAuthenticator;
  }

  /** This member's signature public key (empty before init). */
  get signaturePublicKey(): Uint8Array {
    return this.identity?.signatureKeys.publicKey ?? new Uint8Array();
  }

  setMlsFailureCallback(callback: MlsFailureCallback | undefined): void {
    this.failureCallback = callback;
  }

  /** Start (or restart) a session for a call: the signature key is loaded or made, all group state dropped. */
  init(protocolVersion: number, groupId: Snowflake, selfUserId: Snowflake): Promise<void> {
    return this.serially(async () => {
      const suite = await loadSuite(DAVE_CIPHERSUITE);
      const signatureKeys = await this.signatureKeys(suite);
      this.dropGroupState();
      this.keyPackages = [];
      this.suite = suite;
      this.identity = {
        protocolVersion,
        groupId: snowflakeBytes(groupId),
        selfUserId: toSnowflake(selfUserId).toString(),
        signatureKeys,
      };
      if (this.externalSender) await this.createLocalGroup();
    });
  }

  /** Back to the uninitialised state, discarding all group state (the external sender is kept). */
  reset(): Promise<void> {
    return this.serially(async () => {
      this.dropGroupState();
      this.keyPackages = [];
      this.identity = undefined;
    });
  }

  setProtocolVersion(version: number): void {
    if (this.identity) this.identity = { ...this.identity, protocolVersion: version };
  }

  /** op 25: the voice gateway's external sender. With an initialised session this makes the local group. */
  setExternalSender(payload: Uint8Array): Promise<void> {
    return this.serially(async () => {
      const sender = this.attempt("setExternalSender", () => parseExternalSenderPackage(payload));
      if (sender === undefined) return;
      this.externalSender = sender;
      if (this.identity) await this.createLocalGroup();
    });
  }

  /** op 26: the bare KeyPackage to send; empty until the session is initialised and has an external sender. */
  getMarshalledKeyPackage(): Uint8Array {
    return this.keyPackages.at(-1)?.keyPackage.slice() ?? new Uint8Array();
  }

  /**
   * A fresh bare KeyPackage (davey's getSerializedKeyPackage): needs init only, not an external sender. A Welcome
   * to it is accepted until the next init or reset.
   */
  createKeyPackage(): Promise<Uint8Array> {
    return this.serially(async () => (await this.newKeyPackage()).keyPackage.slice());
  }

  /**
   * op 27: append validated external proposals (or revoke cached ones), then commit everything pending.
   * Returns the commit (and Welcome) to send as op 28, or null when there is nothing to commit or the
   * proposals were refused (the failure callback says why). `recognizedUserIds` null admits any user (davey's
   * optional list).
   */
  processProposals(
    payload: Uint8Array,
    recognizedUserIds: Iterable<Snowflake> | null,
  ): Promise<CommitWelcome | null> {
    return this.serially(async () => {
      const group = this.group;
      if (!group || !this.identity) {
        this.fail("processProposals", "no group: the session needs init and an external sender first");
        return null;
      }
      const parsed = this.attempt("processProposals", () => parseProposalsPayload(payload));
      if (parsed === undefined) return null;
      let next = group;
      if (parsed.operation === "revoke") {
        next = group.withoutProposals(parsed.refs);
      } else {
        const recognized = this.recognizedSet(recognizedUserIds);
        for (const proposal of parsed.proposals) {
          const refusal = this.checkProposalHeader(proposal, next);
          if (refusal) return this.refuse("processProposals", refusal);
          try {
            next = (await next.process(proposal, { validate: (h) => this.validateProposal(h, recognized) }))
              .group;
          } catch (err) {
            return this.refuse("processProposals", (err as Error).message);
          }
        }
      }
      this.group = next;
      this.pendingCommit = undefined;
      if (next.pendingProposals().length === 0) return null;
      let staged: StagedCommit;
      try {
        staged = await next.commit({ publicMessage: true, ratchetTreeInWelcome: true });
      } catch (err) {
        return this.refuse("processProposals", `could not commit: ${(err as Error).message}`);
      }
      this.pendingCommit = { bytes: staged.commit, staged };
      return staged.welcome
        ? { commit: staged.commit, welcome: toBareWelcome(staged.welcome) }
        : { commit: staged.commit };
    });
  }

  /** op 29's commit: our own pending commit is adopted; anyone else's is validated and processed. */
  processCommit(commit: Uint8Array): Promise<CommitResult> {
    return this.serially(async () => {
      const group = this.group;
      if (!group) return this.ignore("no group to apply a commit to");
      const own = this.pendingCommit;
      if (own && Buffer.from(own.bytes).equals(Buffer.from(commit))) {
        return this.adopt(group, own.staged, this.removedLeaves(group, null));
      }
      // Before the call's group exists, the only commit that can apply is the one this session made.
      if (!this.established) return this.ignore("commit for a group this session has not joined");
      let info: ReturnType<typeof inspectMessage>;
      try {
        info = inspectMessage(commit);
      } catch (err) {
        return this.failed("processCommit", (err as Error).message);
      }
      if (info.wireFormat !== "mls_public_message" || info.contentType !== "commit") {
        return this.failed("processCommit", "a DAVE commit must be a PublicMessage commit");
      }
      if (info.epoch !== group.epoch) {
        return this.ignore(`commit for epoch ${info.epoch}; group is at ${group.epoch}`);
      }
      if (info.sender.type !== "member") return this.failed("processCommit", "commit is not from a member");
      if (info.proposals.some((p) => p.type !== "reference")) {
        return this.failed("processCommit", "DAVE commits carry proposals by reference only");
      }
      try {
        const result = await group.process(commit);
        return this.adopt(group, result, this.removedLeaves(group, info.proposals));
      } catch (err) {
        return this.failed("processCommit", (err as Error).message);
      }
    });
  }

  /**
   * op 30's Welcome (bare): join the call's group if its external sender and members check out.
   * `recognizedUserIds` null admits any member (davey does not check them).
   */
  processWelcome(
    welcome: Uint8Array,
    recognizedUserIds: Iterable<Snowflake> | null,
  ): Promise<WelcomeResult | null> {
    return this.serially(async () => {
      const { suite, externalSender } = this;
      if (!suite || this.keyPackages.length === 0 || !externalSender) {
        return this.refuse(
          "processWelcome",
          "no key package: the session needs init and an external sender first",
        );
      }
      if (this.established) return this.refuse("processWelcome", "already in the call's group");
      let joined: MlsGroup;
      try {
        const message = fromBareWelcome(welcome);
        const info = inspectMessage(message);
        const recipients = info.wireFormat === "mls_welcome" ? info.newMembers : [];
        const keyPackage = this.keyPackages.find((k) =>
          recipients.some((ref) => Buffer.from(ref).equals(Buffer.from(k.ref))),
        );
        if (!keyPackage)
          return this.refuse("processWelcome", "Welcome is not for any of this member's key packages");
        joined = await MlsGroup.joinFromWelcome(suite, message, keyPackage);
      } catch (err) {
        return this.refuse("processWelcome", (err as Error).message);
      }
      if (!Buffer.from(joined.groupId).equals(Buffer.from(this.identity?.groupId ?? []))) {
        return this.refuseTrust(
          "processWelcome",
          new TrustRefusal("wrong-group", "the Welcome's group is not this channel's"),
        );
      }
      const senders = joined.externalSenders();
      const [sender] = senders;
      if (
        senders.length !== 1 ||
        !sender ||
        !Buffer.from(sender.signatureKey).equals(Buffer.from(externalSender.signatureKey)) ||
        sender.credential.type !== "basic" ||
        !Buffer.from(sender.credential.identity).equals(Buffer.from(externalSender.identity))
      ) {
        return this.refuse(
          "processWelcome",
          "Welcome's group must have exactly the gateway as external sender",
        );
      }
      let roster: Roster;
      try {
        roster = rosterOf(joined.members());
        const { selfUserId, signatureKeys } = this.identity as Identity;
        checkOwnLeaf(joined.members(), joined.ownLeafIndex, selfUserId, signatureKeys.publicKey);
      } catch (err) {
        if (err instanceof TrustRefusal) return this.refuseTrust("processWelcome", err);
        return this.refuse("processWelcome", (err as Error).message);
      }
      const recognized = this.recognizedSet(recognizedUserIds);
      const stranger = [...roster.keys()].find((userId) => recognized !== null && !recognized.has(userId));
      if (stranger !== undefined)
        return this.refuse("processWelcome", `unrecognized user ${stranger} in the group`);
      this.install(joined);
      return { roster, epoch: joined.epoch };
    });
  }

  /**
   * `userId`'s media key ratchet for the current epoch (its base secret is the MLS exporter output), or null
   * when no call group is established: never a ratchet over nothing.
   */
  async getKeyRatchet(userId: Snowflake): Promise<KeyRatchet | null> {
    const secret = await this.exportBaseSecret(userId);
    if (secret === null) return null;
    const ratchet = new KeyRatchet(secret);
    secret.fill(0);
    return ratchet;
  }

  /**
   * `userId`'s 16-byte media base secret for the current epoch (MLS exporter output), or null when no call group
   * is established. The caller owns the copy and should zero it once its ratchet is made.
   */
  exportBaseSecret(userId: Snowflake): Promise<Uint8Array | null> {
    return this.serially(async () => {
      if (!this.established || !this.group) return null;
      return this.group.exportSecret(SENDER_KEY_LABEL, snowflakeLittleEndian(userId), SENDER_KEY_LENGTH);
    });
  }

  /** The group as it stands now (the local one until a commit or Welcome establishes the call's group). */
  groupView(): GroupView | undefined {
    const group = this.group;
    if (!group) return undefined;
    return {
      epoch: group.epoch,
      ownLeafIndex: group.ownLeafIndex,
      epochAuthenticator: group.epochAuthenticator.slice(),
      established: this.established,
      roster: rosterOf(group.members()),
    };
  }

  /**
   * The pairwise fingerprint with `userId` (both signature keys and user ids through scrypt), or an empty array
   * when that user is not in the established group.
   */
  async getPairwiseFingerprint(version: number, userId: Snowflake): Promise<Uint8Array> {
    const theirs = this.memberSignatureKey(userId);
    if (!theirs || !this.identity) return new Uint8Array();
    return pairwiseFingerprint(
      version,
      this.identity.signatureKeys.publicKey,
      this.identity.selfUserId,
      theirs,
      userId,
    );
  }

  /** The user's signature key in the current group, if they are a member. */
  memberSignatureKey(userId: Snowflake): Uint8Array | undefined {
    if (!this.established || !this.group) return undefined;
    const wanted = toSnowflake(userId).toString();
    const member = this.group
      .members()
      .find((m) => m.credential.type === "basic" && snowflakeFromIdentity(m.credential.identity) === wanted);
    return member?.signatureKey;
  }

  /** The user ids in the established group. */
  userIds(): string[] {
    return this.established && this.group ? [...rosterOf(this.group.members()).keys()] : [];
  }

  /** Drop everything; the session cannot be used again. */
  dispose(): void {
    this.dropGroupState();
    this.keyPackages = [];
    this.identity = undefined;
    this.externalSender = undefined;
    this.failureCallback = undefined;
  }

  private async signatureKeys(suite: MlsSuite): Promise<SignatureKeyPair> {
    const { authSessionId, keyStore } = this.options;
    if (authSessionId === undefined || keyStore === undefined) return generateSignatureKeyPair(suite);
    const stored = await keyStore.load(authSessionId);
    if (stored) return stored;
    const fresh = await generateSignatureKeyPair(suite);
    await keyStore.save(authSessionId, fresh);
    return fresh;
  }

  /** A fresh key package, kept for Welcomes. */
  private async newKeyPackage(): Promise<KeyPackageBundle> {
    const { identity, suite } = this;
    if (!identity || !suite) throw new DaveError("usage", "the session needs init before a key package");
    const keyPackage = await createKeyPackage(suite, {
      identity: snowflakeBytes(identity.selfUserId),
      signatureKeyPair: identity.signatureKeys,
      lifetime: FOREVER,
      capabilities: { ciphersuites: [DAVE_CIPHERSUITE], credentials: ["basic"] },
    });
    this.keyPackages = [...this.keyPackages.slice(1 - MAX_KEY_PACKAGES), keyPackage];
    return keyPackage;
  }

  /** A fresh key package and a one-member group at epoch 0 with the gateway as external sender. */
  private async createLocalGroup(): Promise<void> {
    const { identity, suite, externalSender } = this;
    if (!identity || !suite || !externalSender) return;
    const keyPackage = await this.newKeyPackage();
    this.dropGroupState();
    this.group = await MlsGroup.create(suite, keyPackage, {
      groupId: identity.groupId,
      externalSenders: [{ signatureKey: externalSender.signatureKey, identity: externalSender.identity }],
    });
  }

  private checkProposalHeader(proposal: Uint8Array, group: MlsGroup): string | undefined {
    let info: ReturnType<typeof inspectMessage>;
    try {
      info = inspectMessage(proposal);
    } catch (err) {
      return (err as Error).message;
    }
    if (info.wireFormat !== "mls_public_message" || info.contentType !== "proposal") {
      return "DAVE proposals must be PublicMessage proposals";
    }
    if (info.sender.type !== "external")
      return "proposals must come from the voice gateway (external sender)";
    if (info.epoch !== group.epoch) return `proposal for epoch ${info.epoch}; group is at ${group.epoch}`;
    return undefined;
  }

  private validateProposal(incoming: IncomingHandshake, recognized: Set<string> | null): true | string {
    if (incoming.kind !== "proposal") return "expected a proposal";
    const { proposal } = incoming;
    if (proposal.proposalType === "remove") return true;
    if (proposal.proposalType !== "add")
      return `proposal type ${String(proposal.proposalType)} is not add or remove`;
    const credential = proposal.add.keyPackage.leafNode.credential;
    const userId =
      credential.credentialType === "basic" ? snowflakeFromIdentity(credential.identity) : undefined;
    if (userId === undefined) return "added key package does not name a user";
    return recognized === null || recognized.has(userId) ? true : `add of unrecognized user ${userId}`;
  }

  /**
   * Apply a commit's result, if its roster is sound and every surviving leaf keeps its user and key; the previous
   * epoch's secrets are then zeroed (nothing decrypts or exports under them any more).
   */
  private adopt(
    previous: MlsGroup,
    applied: { readonly group: MlsGroup; forgetPrevious(): void },
    removedLeaves: ReadonlySet<number>,
  ): CommitResult {
    const next = applied.group;
    const before = this.established ? rosterOf(previous.members()) : new Map<string, Uint8Array>();
    let after: Roster;
    try {
      after = rosterOf(next.members());
      checkContinuity(previous.members(), next.members(), removedLeaves);
    } catch (err) {
      if (err instanceof TrustRefusal) {
        this.fail("processCommit", err.message, err.reason);
        return { kind: "failed", reason: err.message, refusal: err.reason };
      }
      return this.failed("processCommit", (err as Error).message);
    }
    this.install(next);
    applied.forgetPrevious();
    return { kind: "roster", roster: rosterChange(before, after), epoch: next.epoch };
  }

  /**
   * The leaves a commit removes: those of the pending Remove proposals it references (`refs`), or of every pending
   * proposal for this session's own commit (null), which commits them all.
   */
  private removedLeaves(group: MlsGroup, refs: readonly ProposalInfo[] | null): Set<number> {
    const referenced =
      refs === null
        ? null
        : new Set(refs.map((p) => (p.type === "reference" ? Buffer.from(p.ref).toString("hex") : "")));
    const removed = new Set<number>();
    for (const p of group.pendingProposals()) {
      if (p.removedLeafIndex === undefined) continue;
      if (referenced === null || referenced.has(Buffer.from(p.ref).toString("hex")))
        removed.add(p.removedLeafIndex);
    }
    return removed;
  }

  private install(group: MlsGroup): void {
    this.group = group;
    this.established = true;
    this.pendingCommit = undefined;
    this.lastAuthenticator = group.epochAuthenticator.slice();
  }

  /** The recognized users always include this member; null (no list) recognizes everyone. */
  private recognizedSet(userIds: Iterable<Snowflake> | null): Set<string> | null {
    if (userIds === null) return null;
    const set = new Set<string>();
    for (const id of userIds) set.add(toSnowflake(id).toString());
    if (this.identity) set.add(this.identity.selfUserId);
    return set;
  }

  private dropGroupState(): void {
    this.group = undefined;
    this.established = false;
    this.pendingCommit = undefined;
    this.lastAuthenticator = new Uint8Array();
  }

  private attempt<T>(source: string, f: () => T): T | undefined {
    try {
      return f();
    } catch (err) {
      this.fail(source, (err as Error).message);
      return undefined;
    }
  }

  private fail(source: string, reason: string, refusal?: TrustRefusalReason): void {
    if (refusal === undefined) this.failureCallback?.(source, reason);
    else this.failureCallback?.(source, reason, refusal);
  }

  private refuseTrust(source: string, refusal: TrustRefusal): null {
    this.fail(source, refusal.message, refusal.reason);
    return null;
  }

  private refuse(source: string, reason: string): null {
    this.fail(source, reason);
    return null;
  }

  private failed(source: string, reason: string): CommitResult {
    this.fail(source, reason);
    return { kind: "failed", reason };
  }

  private ignore(reason: string): CommitResult {
    return { kind: "ignored", reason };
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
