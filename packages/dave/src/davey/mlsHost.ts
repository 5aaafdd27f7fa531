import { MemoryKeyStore } from "../session/keyStore.js";
import { Session } from "../session/session.js";
import { DAVE_PROTOCOL_VERSION, SessionStatus } from "./enums.js";
import type { HostState, InitArgs, ProposalsOutput, SenderKey } from "./protocol.js";

/** The key store holds one key pair per host, so one id serves. */
const KEY_ID = "davey";

/** A refusal in davey's words (its error variant names where it has one). */
class Refusal extends Error {}

/**
 * davey's DaveSession state machine over a Parley `Session` (runs in the MLS worker): status, readiness, and when
 * each operation is refused. Group state lives in the Session; the signature key lives in the host's key store, so
 * a reset keeps it and a reinit without a key pair replaces it, as davey does.
 */
export class MlsHost {
  private status: SessionStatus = SessionStatus.INACTIVE;
  private ready = false;
  /** op 25 as last accepted: kept across reset and reinit, as davey keeps it. */
  private externalSender?: Uint8Array;
  private failures: string[] = [];
  /** Set by create, replaced by every reset and reinit. */
  private session!: Session;

  private constructor(
    private init: InitArgs,
    private keyStore: MemoryKeyStore,
  ) {}

  static async create(init: InitArgs): Promise<MlsHost> {
    const host = new MlsHost(init, await keyStoreFor(init));
    await host.restart();
    return host;
  }

  state(): HostState {
    const view = this.status === SessionStatus.INACTIVE ? undefined : this.session.groupView();
    return {
      status: this.status,
      ready: this.ready,
      epoch: view?.epoch ?? null,
      ownLeafIndex: view?.ownLeafIndex ?? null,
      epochAuthenticator: view?.epochAuthenticator ?? null,
      members: view ? [...view.roster] : [],
      signatureKey: this.session.signaturePublicKey,
    };
  }

  /** Drop the group and key packages; keep identity, signature key, external sender and media readiness. */
  async reset(): Promise<void> {
    await this.restart();
    this.status = SessionStatus.INACTIVE;
  }

  async reinit(init: InitArgs): Promise<void> {
    if (init.protocolVersion !== DAVE_PROTOCOL_VERSION) {
      await this.reset();
      const version = init.protocolVersion;
      throw new Refusal(`Init(UnsupportedProtocolVersion(UnsupportedProtocolVersion(${version})))`);
    }
    this.init = init;
    this.keyStore = await keyStoreFor(init);
    await this.restart();
    this.ready = false;
    this.status = this.externalSender ? SessionStatus.PENDING : SessionStatus.INACTIVE;
  }

  async setExternalSender(data: Uint8Array): Promise<void> {
    if (this.status === SessionStatus.AWAITING_RESPONSE || this.status === SessionStatus.ACTIVE) {
      throw new Refusal("AlreadyInGroup");
    }
    await this.watch(() => this.session.setExternalSender(data));
    this.externalSender = data.slice();
    this.status = SessionStatus.PENDING;
  }

  createKeyPackage(): Promise<Uint8Array> {
    return this.session.createKeyPackage();
  }

  async processProposals(
    operation: number,
    proposals: Uint8Array,
    recognizedUserIds: string[] | null,
  ): Promise<ProposalsOutput> {
    if (this.status === SessionStatus.INACTIVE) throw new Refusal("NoGroup");
    const payload = new Uint8Array(proposals.length + 1);
    payload[0] = operation;
    payload.set(proposals, 1);
    const produced = await this.watch(() => this.session.processProposals(payload, recognizedUserIds));
    if (produced === null) {
      // Nothing left to commit: davey falls back from awaiting its commit.
      if (this.status === SessionStatus.AWAITING_RESPONSE) {
        this.status = this.ready ? SessionStatus.ACTIVE : SessionStatus.PENDING;
      }
      return {};
    }
    this.status = SessionStatus.AWAITING_RESPONSE;
    return produced.welcome
      ? { commit: produced.commit, welcome: produced.welcome }
      : { commit: produced.commit };
  }

  async processCommit(commit: Uint8Array): Promise<SenderKey[]> {
    if (this.status === SessionStatus.INACTIVE) throw new Refusal("NoGroup");
    if (this.status === SessionStatus.PENDING) throw new Refusal("PendingGroup");
    const result = await this.session.processCommit(commit);
    if (result.kind !== "roster") throw new Refusal(result.reason);
    return this.established();
  }

  async processWelcome(welcome: Uint8Array): Promise<SenderKey[]> {
    if (this.status === SessionStatus.ACTIVE) throw new Refusal("AlreadyInGroup");
    if (!this.externalSender) throw new Refusal("NoExternalSender");
    await this.watch(() => this.session.processWelcome(welcome, null));
    return this.established();
  }

  dispose(): void {
    this.session.dispose();
  }

  /** A commit or Welcome applied: active, and every member's base secret for the media side. */
  private async established(): Promise<SenderKey[]> {
    this.status = SessionStatus.ACTIVE;
    this.ready = true;
    const keys: SenderKey[] = [];
    for (const userId of this.session.groupView()?.roster.keys() ?? []) {
      const secret = await this.session.exportBaseSecret(userId);
      if (secret === null) continue;
      // A copy on its own ArrayBuffer, so that it can be transferred out of this thread.
      keys.push({ userId, baseSecret: new Uint8Array(secret) });
      secret.fill(0);
    }
    return keys;
  }

  /** A fresh Session with this host's identity, key and (already checked) external sender. */
  private async restart(): Promise<void> {
    this.session?.dispose();
    this.session = new Session({
      authSessionId: KEY_ID,
      keyStore: this.keyStore,
      onMlsFailure: (_source, reason) => this.failures.push(reason),
    });
    await this.session.init(this.init.protocolVersion, this.init.channelId, this.init.userId);
    // Without a status change: davey keeps the sender after a reset and uses it for a Welcome.
    if (this.externalSender) await this.session.setExternalSender(this.externalSender);
  }

  /** Run a Session operation that reports refusals through the failure callback; throw the first refusal. */
  private async watch<T>(operation: () => Promise<T>): Promise<T> {
    this.failures = [];
    const result = await operation();
    const [failure] = this.failures;
    if (failure !== undefined) throw new Refusal(failure);
    return result;
  }
}

async function keyStoreFor(init: InitArgs): Promise<MemoryKeyStore> {
  const store = new MemoryKeyStore();
  if (init.keyPair)
    await store.save(KEY_ID, { privateKey: init.keyPair.private, publicKey: init.keyPair.public });
  return store;
}
