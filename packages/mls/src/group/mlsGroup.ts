import { basicCredential, fromEngineCredential, type MemberCredential } from "../credential.js";
import { forgetKeys } from "../crypto/keyCache.js";
import {
  type ClientState,
  createApplicationMessage,
  createCommit,
  createGroup,
  createGroupInfoWithExternalPub,
  createGroupInfoWithExternalPubAndRatchetTree,
  type Extension,
  encodeMlsMessage,
  encodeRatchetTree,
  joinGroup,
  joinGroupExternal,
  makePskIndex,
  mlsExporter,
  type Proposal,
} from "../engine.js";
import { asMlsError, ParleyMlsError } from "../errors.js";
import type { KeyPackageBundle } from "../keyPackage.js";
import { decodeMessage } from "../message.js";
import type { MlsSuite } from "../suite.js";
import { decodeAnyKeyPackage, decodeTree } from "./decode.js";
import { type ExternalSenderInput, encodeExternalSenders, externalSendersOf } from "./externalSenders.js";
import { type Member, membershipChange, membersOf } from "./members.js";
import { clientConfigOf, type GroupOptions } from "./options.js";
import { decryptApplication, engineFailure, type HandshakeValidator, processHandshake } from "./process.js";

export interface CreateGroupOptions extends GroupOptions {
  /** Default: 32 random bytes. */
  groupId?: Uint8Array;
  externalSenders?: ExternalSenderInput[];
  /** Further group context extensions, as (type, data) pairs. */
  extensions?: { type: number; data: Uint8Array }[];
}

export interface CommitChanges {
  /** Key packages to add, each as an MLSMessage or a bare KeyPackage. */
  add?: Uint8Array[];
  /** Leaf indices to remove. */
  remove?: number[];
  /** Replace the group context extensions (a GroupContextExtensions proposal). */
  groupContextExtensions?: { type: number; data: Uint8Array }[];
  /** Send as PublicMessage so a server can read it (default false: PrivateMessage). */
  publicMessage?: boolean;
  /** Put the ratchet tree in the Welcome's GroupInfo (default true). */
  ratchetTreeInWelcome?: boolean;
  authenticatedData?: Uint8Array;
}

/**
 * The result of staging a commit. `group` is the next epoch's state, to adopt only once the delivery service
 * has accepted `commit`; until then the group this came from stays valid (nothing was wiped).
 */
export interface StagedCommit {
  readonly group: MlsGroup;
  /** MLSMessage (PublicMessage or PrivateMessage) carrying the Commit. */
  readonly commit: Uint8Array;
  /** MLSMessage carrying the Welcome, when members were added. */
  readonly welcome?: Uint8Array;
  readonly added: Member[];
  readonly removed: Member[];
  /** Zero the previous epoch's secrets once `group` is durably adopted (forward secrecy). */
  forgetPrevious(): void;
}

export type ProcessResult =
  | {
      readonly kind: "application";
      readonly group: MlsGroup;
      readonly data: Uint8Array;
      readonly senderLeafIndex: number;
      readonly authenticatedData: Uint8Array;
      readonly epoch: bigint;
      forgetPrevious(): void;
    }
  | {
      readonly kind: "proposal";
      readonly group: MlsGroup;
      readonly senderLeafIndex: number | undefined;
      forgetPrevious(): void;
    }
  | {
      readonly kind: "commit";
      readonly group: MlsGroup;
      readonly senderLeafIndex: number | undefined;
      readonly added: Member[];
      readonly removed: Member[];
      /** This member was removed by the commit; `group` can no longer send or receive. */
      readonly selfRemoved: boolean;
      forgetPrevious(): void;
    };

export interface PendingProposal {
  readonly ref: Uint8Array;
  readonly type: Proposal["proposalType"];
  /** Sender's leaf, or undefined for external senders. */
  readonly senderLeafIndex: number | undefined;
  /** For add proposals: the new member's credential identity (basic credentials). */
  readonly addedIdentity?: Uint8Array;
  /** For remove proposals: the leaf removed. */
  readonly removedLeafIndex?: number;
}

function wiper(consumed: Uint8Array[]): () => void {
  return () => {
    for (const secret of consumed) secret.fill(0);
  };
}

/**
 * For a commit: zero what the engine consumed and evict from the provider's key cache the private path keys
 * that `next` no longer holds. The key bytes themselves are not zeroed: a leaf key may come from a key package
 * that other groups still use.
 */
function epochWiper(previous: ClientState, next: ClientState, consumed: Uint8Array[]): () => void {
  const wipe = wiper(consumed);
  return () => {
    wipe();
    const kept = new Set(
      Object.values(next.privatePath.privateKeys).map((k) => Buffer.from(k).toString("hex")),
    );
    forgetKeys(
      Object.values(previous.privatePath.privateKeys).filter(
        (k) => !kept.has(Buffer.from(k).toString("hex")),
      ),
    );
  };
}

/**
 * One member's view of an MLS group at one epoch. Values are immutable: every operation returns a new
 * MlsGroup and leaves this one usable, so a caller can stage, send, and adopt only on acceptance.
 */
export class MlsGroup {
  private constructor(
    readonly suite: MlsSuite,
    /** @internal */ readonly state: ClientState,
    private readonly options: GroupOptions,
  ) {}

  /** @internal wrap an engine state (state codec, tests) */
  static fromState(suite: MlsSuite, state: ClientState, options: GroupOptions): MlsGroup {
    return new MlsGroup(suite, { ...state, clientConfig: clientConfigOf(options) }, options);
  }

  static async create(
    suite: MlsSuite,
    creator: KeyPackageBundle,
    options: CreateGroupOptions = {},
  ): Promise<MlsGroup> {
    const config = clientConfigOf(options);
    const extensions: Extension[] = (options.extensions ?? []).map((e) => ({
      extensionType: e.type,
      extensionData: e.data,
    }));
    const groupId = options.groupId ?? suite.impl.rng.randomBytes(32);
    let state: ClientState;
    try {
      state = await createGroup(
        groupId,
        creator.engine.publicPackage,
        creator.engine.privatePackage,
        extensions,
        suite.impl,
        config,
      );
    } catch (err) {
      throw asMlsError(err, "usage", "could not create group");
    }
    if (options.externalSenders?.length) {
      for (const sender of options.externalSenders) {
        if (
          !(await config.authService.validateCredential(
            basicCredential(sender.identity),
            sender.signatureKey,
          ))
        ) {
          throw new ParleyMlsError("rejected", "external sender credential refused by validateCredential");
        }
      }
      // Epoch 0's secrets are random, not derived from the context, so setting the extension after creation is
      // the same as creating with it; the engine cannot be given it directly (see externalSenders.ts).
      const senders = {
        extensionType: "external_senders" as const,
        extensionData: encodeExternalSenders(options.externalSenders),
      };
      state = { ...state, groupContext: { ...state.groupContext, extensions: [senders, ...extensions] } };
    }
    return new MlsGroup(suite, state, options);
  }

  /** Join through a Welcome (an MLSMessage); `ratchetTree` is needed when the Welcome does not carry it. */
  static async joinFromWelcome(
    suite: MlsSuite,
    welcome: Uint8Array,
    keyPackage: KeyPackageBundle,
    options: GroupOptions & { ratchetTree?: Uint8Array } = {},
  ): Promise<MlsGroup> {
    const message = decodeMessage(welcome, "Welcome");
    if (message.wireformat !== "mls_welcome") {
      throw new ParleyMlsError("invalid", `expected a Welcome, got ${message.wireformat}`);
    }
    const tree = options.ratchetTree ? decodeTree(options.ratchetTree) : undefined;
    try {
      const state = await joinGroup(
        message.welcome,
        keyPackage.engine.publicPackage,
        keyPackage.engine.privatePackage,
        makePskIndex(undefined, {}),
        suite.impl,
        tree,
        undefined,
        clientConfigOf(options),
      );
      // The init key only opens this Welcome (RFC 9420 §12.4.3.1): its imported object need not stay cached.
      forgetKeys([keyPackage.engine.privatePackage.initPrivateKey]);
      return new MlsGroup(suite, state, options);
    } catch (err) {
      throw engineFailure(err, "Welcome");
    }
  }

  /**
   * Join by external commit (RFC 9420 §12.4.3.2) from a published GroupInfo. The returned commit must be
   * accepted by the delivery service before `group` is used.
   */
  static async joinExternal(
    suite: MlsSuite,
    groupInfo: Uint8Array,
    keyPackage: KeyPackageBundle,
    options: GroupOptions & { ratchetTree?: Uint8Array; resync?: boolean } = {},
  ): Promise<{ group: MlsGroup; commit: Uint8Array }> {
    const message = decodeMessage(groupInfo, "GroupInfo");
    if (message.wireformat !== "mls_group_info") {
      throw new ParleyMlsError("invalid", `expected a GroupInfo, got ${message.wireformat}`);
    }
    const tree = options.ratchetTree ? decodeTree(options.ratchetTree) : undefined;
    try {
      const { publicMessage, newState } = await joinGroupExternal(
        message.groupInfo,
        keyPackage.engine.publicPackage,
        keyPackage.engine.privatePackage,
        options.resync ?? false,
        suite.impl,
        tree,
        clientConfigOf(options),
      );
      const commit = encodeMlsMessage({ version: "mls10", wireformat: "mls_public_message", publicMessage });
      return { group: new MlsGroup(suite, newState, options), commit };
    } catch (err) {
      throw engineFailure(err, "GroupInfo");
    }
  }

  get groupId(): Uint8Array {
    return this.state.groupContext.groupId;
  }

  get epoch(): bigint {
    return this.state.groupContext.epoch;
  }

  /** RFC 9420 §8.7 epoch_authenticator: equal for all members of an epoch; compare it out of band. */
  get epochAuthenticator(): Uint8Array {
    return this.state.keySchedule.epochAuthenticator;
  }

  get ownLeafIndex(): number {
    return this.state.privatePath.leafIndex;
  }

  /** False once this member has been removed. */
  get active(): boolean {
    return this.state.groupActiveState.kind === "active";
  }

  members(): Member[] {
    return membersOf(this.state);
  }

  /** The group context's external senders (RFC 9420 §12.1.8.1), in order: sender_index points into this. */
  externalSenders(): { signatureKey: Uint8Array; credential: MemberCredential }[] {
    return externalSendersOf(this.state).map((s) => ({
      signatureKey: s.signaturePublicKey,
      credential: fromEngineCredential(s.credential),
    }));
  }

  /** Proposals received this epoch and not yet committed (a commit will include all of them). */
  pendingProposals(): PendingProposal[] {
    return Object.entries(this.state.unappliedProposals).map(([ref, { proposal, senderLeafIndex }]) => ({
      ref: new Uint8Array(Buffer.from(ref, "base64")),
      type: proposal.proposalType,
      senderLeafIndex,
      ...(proposal.proposalType === "add" &&
      proposal.add.keyPackage.leafNode.credential.credentialType === "basic"
        ? { addedIdentity: proposal.add.keyPackage.leafNode.credential.identity }
        : {}),
      ...(proposal.proposalType === "remove" ? { removedLeafIndex: proposal.remove.removed } : {}),
    }));
  }

  /** Drop pending proposals by reference (DAVE's revoke). Unknown references are ignored. */
  withoutProposals(refs: Uint8Array[]): MlsGroup {
    const unapplied = { ...this.state.unappliedProposals };
    for (const ref of refs) delete unapplied[Buffer.from(ref).toString("base64")];
    return new MlsGroup(this.suite, { ...this.state, unappliedProposals: unapplied }, this.options);
  }

  /**
   * Stage a commit of the given changes plus every pending proposal. With no changes and no pending
   * proposals this is an empty commit, which refreshes this member's path (post-compromise security).
   */
  async commit(changes: CommitChanges = {}): Promise<StagedCommit> {
    const proposals: Proposal[] = [
      ...(changes.add ?? []).map((kp) => ({
        proposalType: "add" as const,
        add: { keyPackage: decodeAnyKeyPackage(kp) },
      })),
      ...(changes.remove ?? []).map((removed) => ({ proposalType: "remove" as const, remove: { removed } })),
      ...(changes.groupContextExtensions
        ? [
            {
              proposalType: "group_context_extensions" as const,
              groupContextExtensions: {
                extensions: changes.groupContextExtensions.map((e) => ({
                  extensionType: e.type,
                  extensionData: e.data,
                })),
              },
            },
          ]
        : []),
    ];
    let result: Awaited<ReturnType<typeof createCommit>>;
    try {
      result = await createCommit(
        { state: this.state, cipherSuite: this.suite.impl },
        {
          wireAsPublicMessage: changes.publicMessage ?? false,
          extraProposals: proposals,
          ratchetTreeExtension: changes.ratchetTreeInWelcome ?? true,
          ...(changes.authenticatedData ? { authenticatedData: changes.authenticatedData } : {}),
        },
      );
    } catch (err) {
      throw engineFailure(err, "commit");
    }
    const group = new MlsGroup(this.suite, result.newState, this.options);
    const { added, removed } = membershipChange(this.members(), group.members());
    return {
      group,
      commit: encodeMlsMessage(result.commit),
      ...(result.welcome
        ? {
            welcome: encodeMlsMessage({
              version: "mls10",
              wireformat: "mls_welcome",
              welcome: result.welcome,
            }),
          }
        : {}),
      added,
      removed,
      forgetPrevious: epochWiper(this.state, result.newState, result.consumed),
    };
  }

  /**
   * Process an MLSMessage addressed to this group: an application message, a proposal, or someone else's
   * commit. `validate` sees every proposal and commit before it applies. On any error this group is
   * unchanged and the error is a ParleyMlsError.
   */
  async process(bytes: Uint8Array, options: { validate?: HandshakeValidator } = {}): Promise<ProcessResult> {
    const message = decodeMessage(bytes);
    if (message.wireformat !== "mls_private_message" && message.wireformat !== "mls_public_message") {
      throw new ParleyMlsError("invalid", `a group processes framed messages, not ${message.wireformat}`);
    }
    const header =
      message.wireformat === "mls_private_message"
        ? {
            groupId: message.privateMessage.groupId,
            epoch: message.privateMessage.epoch,
            type: message.privateMessage.contentType,
          }
        : {
            groupId: message.publicMessage.content.groupId,
            epoch: message.publicMessage.content.epoch,
            type: message.publicMessage.content.contentType,
          };
    if (!Buffer.from(header.groupId).equals(Buffer.from(this.groupId))) {
      throw new ParleyMlsError("wrong-group", "message is for another group");
    }
    if (!this.active) throw new ParleyMlsError("usage", "this member has been removed from the group");

    if (header.type === "application") {
      if (message.wireformat !== "mls_private_message") {
        throw new ParleyMlsError("invalid", "application data must be sent as a PrivateMessage");
      }
      let app: Awaited<ReturnType<typeof decryptApplication>>;
      try {
        app = await decryptApplication(this.state, message, this.suite);
      } catch (err) {
        throw engineFailure(err, "application message");
      }
      return {
        kind: "application",
        group: new MlsGroup(this.suite, app.newState, this.options),
        data: app.data,
        senderLeafIndex: app.senderLeafIndex,
        authenticatedData: app.authenticatedData,
        epoch: app.epoch,
        forgetPrevious: wiper(app.consumed),
      };
    }
    if (header.epoch !== this.epoch) {
      throw new ParleyMlsError(
        "wrong-epoch",
        `${header.type} for epoch ${header.epoch}; group is at ${this.epoch}`,
      );
    }
    const done = await processHandshake(this.state, message, this.suite, options.validate);
    const group = new MlsGroup(this.suite, done.newState, this.options);
    if (done.kind === "proposal") {
      return {
        kind: "proposal",
        group,
        senderLeafIndex: done.senderLeafIndex,
        forgetPrevious: wiper(done.consumed),
      };
    }
    const { added, removed } = membershipChange(this.members(), group.members());
    return {
      kind: "commit",
      group,
      senderLeafIndex: done.senderLeafIndex,
      added,
      removed,
      selfRemoved: !group.active,
      forgetPrevious: epochWiper(this.state, done.newState, done.consumed),
    };
  }

  /** Encrypt application data as a PrivateMessage for the current epoch. */
  async encrypt(
    plaintext: Uint8Array,
    authenticatedData?: Uint8Array,
  ): Promise<{ group: MlsGroup; message: Uint8Array; forgetPrevious(): void }> {
    if (!this.active) throw new ParleyMlsError("usage", "this member has been removed from the group");
    try {
      const { newState, privateMessage, consumed } = await createApplicationMessage(
        this.state,
        plaintext,
        this.suite.impl,
        authenticatedData,
      );
      return {
        group: new MlsGroup(this.suite, newState, this.options),
        message: encodeMlsMessage({ version: "mls10", wireformat: "mls_private_message", privateMessage }),
        forgetPrevious: wiper(consumed),
      };
    } catch (err) {
      throw asMlsError(err, "usage", "could not encrypt application message");
    }
  }

  /** RFC 9420 §8.5 MLS-Exporter(label, context, length). */
  exportSecret(label: string, context: Uint8Array, length: number): Promise<Uint8Array> {
    return mlsExporter(this.state.keySchedule.exporterSecret, label, context, length, this.suite.impl);
  }

  /** A signed GroupInfo (MLSMessage) with external_pub, for external joins; with the ratchet tree by default. */
  async groupInfo(options: { ratchetTree?: boolean } = {}): Promise<Uint8Array> {
    const make =
      options.ratchetTree === false
        ? createGroupInfoWithExternalPub
        : createGroupInfoWithExternalPubAndRatchetTree;
    const groupInfo = await make(this.state, [], this.suite.impl);
    return encodeMlsMessage({ version: "mls10", wireformat: "mls_group_info", groupInfo });
  }

  /** The TLS-encoded ratchet tree, for a Welcome sent without it (RFC 9420 §12.4.3.3). */
  ratchetTree(): Uint8Array {
    return encodeRatchetTree(this.state.ratchetTree);
  }

  /**
   * This state is being discarded for good (e.g. replaced by a rejoin): evict its private path keys from the
   * provider's key cache. The state itself stays readable.
   */
  forgetKeys(): void {
    forgetKeys(Object.values(this.state.privatePath.privateKeys));
  }

  /** The options this group was opened with (needed again when loading saved state). */
  get groupOptions(): GroupOptions {
    return this.options;
  }
}
