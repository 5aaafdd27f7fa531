import { randomBytes } from "node:crypto";
import {
  type CiphersuiteName,
  type CryptoProvider,
  createBinding,
  decodeGroup,
  type GroupOptions,
  generateIdentityKeyPair,
  generateSignatureKeyPair,
  type IdentityKeyPair,
  loadSuite,
  MlsGroup,
  type MlsSuite,
  type SignatureKeyPair,
} from "@parley/mls";
import { toBase64Url } from "./bytes.js";
import { addDevices, type ClaimedKeyPackage, checkClaimed, removeLeaves, rename } from "./changes.js";
import { requireActive, runCommit } from "./commit.js";
import { MAX_TEXT_LENGTH } from "./content.js";
import type { ClientContext } from "./context.js";
import { Conversation } from "./conversation.js";
import { asClientError, isClientError, ParleyClientError } from "./errors.js";
import {
  type ClientEvents,
  type ConnectionState,
  Emitter,
  type EventName,
  type MemberInfo,
  type PendingMessage,
} from "./events.js";
import { groupName, MAX_NAME_BYTES, nameExtension } from "./groupName.js";
import { addressOf, deviceIdOf, isValidUsername, validateCredential } from "./identity.js";
import { DEFAULT_POOL, newKeyPackage, type PoolPolicy, replenishKeyPackages } from "./keyPackagePool.js";
import { LAST_EVENT_ID, LiveDelivery } from "./live.js";
import { checkOwnDevices, rememberOwnDevices } from "./ownDevices.js";
import { flushOutbox, pendingTexts, sendContent } from "./send.js";
import type { ClientStore, ConversationRecord, DeviceRecord, HistoryRecord } from "./storage/store.js";
import { syncConversation } from "./sync.js";
import { HttpTransport } from "./transport/httpTransport.js";
import type { Transport } from "./transport/transport.js";
import type { VerificationState } from "./trust/contacts.js";
import { encodeIdentity, IDENTITY_KEY, loadIdentity } from "./trust/identityKey.js";
import { TrustBook } from "./trust/trustBook.js";
import { verificationCode } from "./verificationCode.js";
import { processWelcomes } from "./welcome.js";

export interface ClientOptions {
  store: ClientStore;
  /** Default: HTTP to the stored (or given) server URL. */
  transport?: Transport;
  /** Ciphersuite for a new device (default MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519). */
  ciphersuite?: CiphersuiteName;
  keyPackagePool?: Partial<PoolPolicy>;
  /** Past epochs whose keys are kept for late messages (default 4; the server accepts 2 behind). */
  pastEpochs?: number;
  /** Retries of a commit that lost the epoch race (default 5). */
  maxCommitRetries?: number;
  /** Log page size (default 500, at most 1000). */
  pageSize?: number;
  /**
   * The MLS crypto provider (default: @parley/mls's node:crypto provider). Not stored: pass the same one to
   * `open`. ts-mls's WebCrypto `defaultCryptoProvider` is the benchmark's baseline.
   */
  cryptoProvider?: CryptoProvider;
}

export interface LoginOptions extends ClientOptions {
  serverUrl: string;
  username: string;
  password: string;
  /**
   * For a new device: the account's identity key, from `exportIdentity()` on an existing device (moved out of
   * band). Without it the device makes its own identity key, which contacts accept once one of the account's
   * trusted devices adds it (`addOwnDevices`).
   */
  identity?: Uint8Array;
}

export interface ConversationSummary {
  readonly id: string;
  readonly name: string;
  readonly status: ConversationRecord["status"];
  readonly epoch: number;
  readonly members: number;
}

/** One device of this account, as `devices()` lists it. */
export interface OwnDevice {
  readonly deviceId: string;
  readonly createdAt: number;
  readonly revoked: boolean;
  /** This device. */
  readonly current: boolean;
  /** What that device shows as its own code. */
  readonly verificationCode: string;
}

export interface MemberDetails extends MemberInfo {
  /** Compare out of band with what that person's own device shows for itself. */
  readonly verificationCode: string;
  readonly self: boolean;
}

const DEFAULT_SUITE: CiphersuiteName = "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519";

/**
 * Parley's messaging client: one device of one account. Create it with `register`, `login` or `open`, then
 * `start()` it (key packages, outbox, catch-up, live delivery). Every group change follows send-then-merge.
 */
export class ParleyClient {
  private readonly emitter = new Emitter();
  private readonly conversations = new Map<string, Conversation>();
  private readonly ctx: ClientContext;
  private readonly pool: PoolPolicy;
  private live: LiveDelivery | undefined;
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly scheduled = new Map<string, { again: boolean }>();
  private connection: ConnectionState | undefined;
  private closed = false;

  private constructor(
    private device: DeviceRecord,
    suite: MlsSuite,
    identity: IdentityKeyPair,
    private readonly store: ClientStore,
    private readonly transport: Transport,
    options: ClientOptions,
  ) {
    const me = { username: device.username, deviceId: device.deviceId };
    const groupOptions: GroupOptions = { validateCredential, pastEpochs: options.pastEpochs ?? 4 };
    const provider = options.cryptoProvider;
    this.pool = { ...DEFAULT_POOL, ...options.keyPackagePool };
    this.ctx = {
      suite,
      me,
      keys: { publicKey: device.signaturePublicKey, privateKey: device.signaturePrivateKey },
      identity,
      trust: new TrustBook(store, me, identity.publicKey, this.emitter),
      store,
      transport,
      groupOptions,
      ...(provider ? { provider } : {}),
      events: this.emitter,
      maxCommitRetries: options.maxCommitRetries ?? 5,
      pageSize: Math.min(options.pageSize ?? 500, 1000),
      defer: (task) => this.background(task()),
      removeLeaver: (id, username) =>
        this.commitTo(
          id,
          removeLeaves((u) => u === username),
        ).then(() => undefined),
    };
  }

  /** Create an account, then log this new device in. */
  static async register(options: LoginOptions & { registrationToken?: string }): Promise<ParleyClient> {
    const transport = options.transport ?? new HttpTransport(options.serverUrl);
    if (!isValidUsername(options.username))
      throw new ParleyClientError("usage", "a username is 1–64 of A–Z a–z 0–9 _ . -");
    // Checked before the server creates anything: logging in would refuse this store afterwards.
    if (await options.store.loadDevice())
      throw new ParleyClientError("usage", "this store already holds a device; use a new store to register");
    await transport.register(options.username, options.password, options.registrationToken);
    const client = await ParleyClient.login({ ...options, transport });
    await client.ctx.trust.pinOwn(); // the first device makes the account's identity key
    return client;
  }

  /**
   * Log in: the device already in this store (same user and server) gets a new session; otherwise a new device
   * (a new signature key) is created and stored with its session.
   */
  static async login(options: LoginOptions): Promise<ParleyClient> {
    const transport = options.transport ?? new HttpTransport(options.serverUrl);
    const existing = await options.store.loadDevice();
    if (existing && (existing.username !== options.username || existing.serverUrl !== transport.serverUrl)) {
      throw new ParleyClientError(
        "usage",
        "this store belongs to another account or server; use a new store",
      );
    }
    const suite = await loadSuite(
      existing?.suiteId ?? options.ciphersuite ?? DEFAULT_SUITE,
      options.cryptoProvider,
    );
    const keys: SignatureKeyPair = existing
      ? { publicKey: existing.signaturePublicKey, privateKey: existing.signaturePrivateKey }
      : await generateSignatureKeyPair(suite);
    const session = await transport.login(options.username, options.password, keys.publicKey);
    if (session.deviceId !== deviceIdOf(keys.publicKey))
      throw new ParleyClientError(
        "malformed-response",
        "POST /v1/sessions: the device id does not match our key",
      );
    const device: DeviceRecord = {
      serverUrl: transport.serverUrl,
      username: options.username,
      deviceId: session.deviceId,
      suiteId: suite.id,
      signaturePublicKey: keys.publicKey,
      signaturePrivateKey: keys.privateKey,
      token: session.token,
      tokenExpiresAt: session.expiresAt,
    };
    const identity = existing ? undefined : importIdentity(options.identity);
    await options.store.write({
      device,
      ...(identity ? { meta: { [IDENTITY_KEY]: encodeIdentity(identity) } } : {}),
    });
    transport.setToken(session.token);
    const client = await ParleyClient.load(device, suite, { ...options, transport });
    if (options.identity && !existing) await client.ctx.trust.pinOwn();
    try {
      await rememberOwnDevices(client.ctx);
    } catch (err) {
      if (!isClientError(err, "network")) throw err; // the first start remembers them instead
    }
    return client;
  }

  /** Resume the device stored in `store`. */
  static async open(options: ClientOptions): Promise<ParleyClient> {
    const device = await options.store.loadDevice();
    if (!device) throw new ParleyClientError("not-logged-in", "the store holds no device; log in first");
    const transport = options.transport ?? new HttpTransport(device.serverUrl);
    transport.setToken(device.token);
    return ParleyClient.load(device, await loadSuite(device.suiteId, options.cryptoProvider), {
      ...options,
      transport,
    });
  }

  private static async load(
    device: DeviceRecord,
    suite: MlsSuite,
    options: ClientOptions,
  ): Promise<ParleyClient> {
    const { identity, fresh } = await loadIdentity(options.store);
    if (fresh) await options.store.write({ meta: { [IDENTITY_KEY]: encodeIdentity(identity) } });
    const client = new ParleyClient(
      device,
      suite,
      identity,
      options.store,
      options.transport as Transport,
      options,
    );
    const outbox = await options.store.loadOutbox();
    for (const record of await options.store.loadConversations()) {
      let group: MlsGroup | undefined;
      if (record.status === "active" && record.state) {
        try {
          group = await decodeGroup(record.state, {
            ...client.ctx.groupOptions,
            provider: options.cryptoProvider,
          });
        } catch (err) {
          throw asClientError(err, "storage", `stored state of conversation ${record.groupId}`);
        }
      }
      const conv = new Conversation(record, group);
      conv.outbox = outbox.filter((o) => o.groupId === record.groupId);
      client.conversations.set(record.groupId, conv);
    }
    return client;
  }

  get username(): string {
    return this.device.username;
  }

  get deviceId(): string {
    return this.device.deviceId;
  }

  /**
   * The account's identity key pair, for `login({ identity })` on a new device of this account. Secret: move it
   * only over a channel you trust (e.g. a QR code between your own devices).
   */
  exportIdentity(): Uint8Array {
    return new Uint8Array(Buffer.concat([this.ctx.identity.publicKey, this.ctx.identity.privateKey]));
  }

  /** The safety number of `username` (this account's own too), over its pinned identity keys; undefined if unknown. */
  safetyNumber(username: string = this.username): Promise<string | undefined> {
    return this.ctx.trust.safetyNumber(username);
  }

  /** Whether this device has verified `username`'s identity, or saw it change; undefined if never seen. */
  async contactState(username: string): Promise<VerificationState | undefined> {
    return (await this.ctx.trust.contact(username))?.state;
  }

  /**
   * Mark `username` verified if `safetyNumber` is the one this device computes (compared out of band); a
   * `changed` contact then pins its new key. Returns whether it matched. Run `sync()` after to go on with
   * conversations that waited for it.
   */
  verifyContact(username: string, safetyNumber: string): Promise<boolean> {
    return this.ctx.trust.verify(username, safetyNumber);
  }

  /** Accept a `changed` contact's new identity key unverified (state `unverified`). Then `sync()`. */
  acceptIdentity(username: string): Promise<boolean> {
    return this.ctx.trust.accept(username);
  }

  /** This device's own verification code (what others should see for it). */
  get verificationCode(): string {
    return verificationCode(this.device.username, this.device.signaturePublicKey);
  }

  on<K extends EventName>(name: K, listener: (event: ClientEvents[K]) => void): () => void {
    return this.emitter.on(name, listener);
  }

  /**
   * Bring this device up to date: key packages, Welcomes, every conversation's log, queued messages in order, the
   * account's devices; then, with `live` (default), keep it up to date through server-sent events. With `live`,
   * an unreachable server is not an error: stored conversations and history stay usable and live delivery
   * catches up once it answers (`connection` events). Other failures (e.g. `unauthorized`) are thrown.
   */
  async start(options: { live?: boolean } = {}): Promise<void> {
    this.ensureOpen();
    const live = options.live ?? true;
    try {
      await this.catchUp();
    } catch (err) {
      if (!live || !isClientError(err, "network")) throw err;
      this.setConnection("reconnecting", err);
      this.startLive(true);
      return;
    }
    if (live) this.startLive(false);
  }

  /** `connected` while caught up with the live stream open; otherwise `reconnecting`. */
  get connectionState(): ConnectionState {
    return this.connection ?? "reconnecting";
  }

  /** Wait until the live stream is connected (after `start`). */
  async connected(): Promise<void> {
    await this.live?.whenConnected();
  }

  /** Fetch Welcomes, then every active conversation's log from its cursor. */
  async sync(): Promise<void> {
    this.ensureOpen();
    await this.syncWelcomes();
    for (const conv of this.conversations.values()) {
      if (conv.active) await conv.lock.run(() => syncConversation(this.ctx, conv));
    }
  }

  /** Upload key packages when the server's count for this device runs low. */
  async replenishKeyPackages(): Promise<number> {
    return replenishKeyPackages(this.ctx.suite, this.deviceKeys(), this.store, this.transport, this.pool);
  }

  conversationList(): ConversationSummary[] {
    return [...this.conversations.values()].map((c) => ({
      id: c.id,
      name: c.group ? groupName(c.group) : c.record.name,
      status: c.record.status,
      epoch: Number(c.group?.epoch ?? -1),
      members: c.group?.members().length ?? 0,
    }));
  }

  /** Create a conversation (an MLS group registered on the server), optionally adding users right away. */
  async createConversation(options: { name?: string; members?: string[] } = {}): Promise<string> {
    this.ensureOpen();
    const name = options.name ?? "";
    const groupId = randomBytes(32);
    const id = toBase64Url(groupId);
    const leaf = await newKeyPackage(this.ctx.suite, this.deviceKeys());
    let group: MlsGroup;
    try {
      group = await MlsGroup.create(this.ctx.suite, leaf, {
        ...this.ctx.groupOptions,
        groupId,
        extensions: [nameExtension(name)],
      });
    } catch (err) {
      throw asClientError(err, "mls", "creating the group");
    }
    // The server checks every commit against the group's public state, starting from this GroupInfo; it also
    // lets a member that cannot follow a commit rejoin (rejoin.ts).
    const groupInfo = await group.groupInfo();
    try {
      await this.transport.createGroup(id, groupInfo);
    } catch (err) {
      // A lost answer: ask again; "exists" then means the first request did it (the id is 32 random bytes).
      if (!isClientError(err, "network")) throw err;
      try {
        await this.transport.createGroup(id, groupInfo);
      } catch (again) {
        if (!isClientError(again, "conflict")) throw again;
      }
    }
    const record: ConversationRecord = {
      groupId: id,
      status: "active",
      state: null,
      cursor: 0,
      joinedEpoch: 0,
      name,
      pending: null,
      createdAt: Date.now(),
    };
    const conv = new Conversation(record, group);
    await this.store.write({ conversations: [conv.snapshot()] });
    this.conversations.set(id, conv);
    this.emitter.emit("joined", { conversationId: id, name });
    if (options.members?.length) await this.addMembers(id, options.members);
    return id;
  }

  /** Add users: one key package is claimed for each of their devices, and every device is added in one commit. */
  async addMembers(conversationId: string, usernames: string[]): Promise<void> {
    const conv = this.conversation(conversationId);
    const claimed: ClaimedKeyPackage[] = [];
    for (const username of new Set(usernames)) {
      if (!isValidUsername(username)) throw new ParleyClientError("usage", "not a valid username");
      const packages = await this.transport.claimKeyPackages(username);
      const usable = await this.ctx.trust.checkClaimed(
        packages
          .map((p) => ({ username, ...p }))
          .filter((c) => c.deviceId !== this.deviceId && checkClaimed(this.ctx.suite.id, c)),
      );
      if (usable.length === 0 && username !== this.username)
        throw new ParleyClientError("no-key-packages", `${username} has no device with a usable key package`);
      claimed.push(...usable);
    }
    await conv.lock.run(() => runCommit(this.ctx, conv, addDevices(claimed)));
  }

  /** Remove users (all their devices). To take yourself out, use `leave`. */
  async removeMembers(conversationId: string, usernames: string[]): Promise<void> {
    if (usernames.includes(this.username))
      throw new ParleyClientError("usage", "use leave() to leave a conversation");
    const names = new Set(usernames);
    await this.commitTo(
      conversationId,
      removeLeaves((u) => names.has(u)),
    );
  }

  /** Rename through a GroupContextExtensions commit. */
  async rename(conversationId: string, name: string): Promise<void> {
    if (Buffer.byteLength(name) > MAX_NAME_BYTES)
      throw new ParleyClientError("usage", `a name is at most ${MAX_NAME_BYTES} bytes`);
    await this.commitTo(conversationId, rename(name, groupName));
  }

  /** Commit a path update only (post-compromise security: fresh keys for this device's path). */
  async updateKeys(conversationId: string): Promise<void> {
    await this.commitTo(conversationId, () => ({ changes: {}, added: [], removed: [] }));
  }

  /**
   * Leave: MLS does not let a member commit its own removal, so this device asks the others (an encrypted
   * `leave` message; one designated member commits the removal of this user's devices) and forgets the group.
   */
  async leave(conversationId: string): Promise<void> {
    const conv = this.conversation(conversationId);
    await conv.lock.run(async () => {
      requireActive(conv);
      await sendContent(this.ctx, conv, { type: "leave", sentAt: Date.now() });
      conv.group = undefined;
      conv.staged = undefined;
      conv.record = { ...conv.record, status: "left", pending: null };
      await this.store.write({ conversations: [conv.snapshot()] });
    });
    this.emitter.emit("left", { conversationId, reason: "left" });
  }

  /**
   * Send a text message; resolves with its sequence number in the conversation once the server stored it. It is
   * stored first and posted after any older message still queued for the conversation. If the server cannot be
   * reached it stays queued (`pendingMessages`), the error has `details.queued`, and it goes out in order on the
   * next send or reconnect; a refusal (e.g. no longer a member) fails it. `outgoing` events tell each change.
   */
  async send(conversationId: string, text: string): Promise<number> {
    if (text.length > MAX_TEXT_LENGTH) throw new ParleyClientError("usage", "the message is too long");
    const conv = this.conversation(conversationId);
    return conv.lock.run(() => sendContent(this.ctx, conv, { type: "text", text, sentAt: Date.now() }));
  }

  /** Messages stored and not yet delivered, oldest first per conversation. */
  pendingMessages(conversationId?: string): PendingMessage[] {
    this.ensureOpen();
    const convs =
      conversationId === undefined ? [...this.conversations.values()] : [this.conversation(conversationId)];
    return convs.flatMap(pendingTexts);
  }

  history(
    conversationId: string,
    options: { limit?: number; before?: number } = {},
  ): Promise<HistoryRecord[]> {
    this.conversation(conversationId);
    return this.store.loadHistory(conversationId, options);
  }

  members(conversationId: string): MemberDetails[] {
    const conv = this.conversation(conversationId);
    const group = requireActive(conv);
    return group.members().map((m) => {
      const a = addressOf(m);
      return {
        username: a?.username ?? "",
        deviceId: a?.deviceId ?? "",
        leafIndex: m.leafIndex,
        verificationCode: verificationCode(a?.username ?? "", m.signatureKey),
        self: m.leafIndex === group.ownLeafIndex,
      };
    });
  }

  epoch(conversationId: string): number {
    return Number(requireActive(this.conversation(conversationId)).epoch);
  }

  /** RFC 9420 §8.7: equal on every member's device for the same epoch. */
  epochAuthenticator(conversationId: string): Uint8Array {
    return requireActive(this.conversation(conversationId)).epochAuthenticator;
  }

  /** RFC 9420 §8.5 MLS-Exporter, for keys an application derives from the group (secret: handle with care). */
  async exportSecret(
    conversationId: string,
    label: string,
    context: Uint8Array,
    length: number,
  ): Promise<Uint8Array> {
    const group = requireActive(this.conversation(conversationId));
    try {
      return await group.exportSecret(label, context, length);
    } catch (err) {
      throw asClientError(err, "mls", "exporting a secret");
    }
  }

  /**
   * Multi-device: add this user's other devices to every conversation they are missing from. A key package is
   * claimed per conversation (they are one-time), so call this from an existing device after a new one logged in.
   */
  async addOwnDevices(): Promise<string[]> {
    const changed: string[] = [];
    for (const conv of [...this.conversations.values()].filter((c) => c.active)) {
      const claimed = await this.ctx.trust.checkClaimed(
        (await this.transport.claimKeyPackages(this.username))
          .map((p) => ({ username: this.username, ...p }))
          .filter((c) => c.deviceId !== this.deviceId && checkClaimed(this.ctx.suite.id, c)),
      );
      if (await conv.lock.run(() => runCommit(this.ctx, conv, addDevices(claimed)))) changed.push(conv.id);
    }
    return changed;
  }

  /**
   * Revoke one of this user's other devices: the server ends its sessions and refuses it from then on, then it
   * is removed from every conversation.
   */
  async revokeDevice(deviceId: string): Promise<string[]> {
    if (deviceId === this.deviceId)
      throw new ParleyClientError("usage", "a device cannot revoke itself; use another");
    await this.transport.revokeDevice(deviceId);
    const changed: string[] = [];
    for (const conv of [...this.conversations.values()].filter((c) => c.active)) {
      const planner = removeLeaves((u, d) => u === this.username && d === deviceId);
      if (await conv.lock.run(() => runCommit(this.ctx, conv, planner))) changed.push(conv.id);
    }
    return changed;
  }

  /** This account's devices, oldest first, with their verification codes. */
  async devices(): Promise<OwnDevice[]> {
    this.ensureOpen();
    return (await this.transport.listDevices()).map((d) => ({
      deviceId: d.deviceId,
      createdAt: d.createdAt,
      revoked: d.revoked,
      current: d.current,
      verificationCode: verificationCode(this.username, d.signatureKey),
    }));
  }

  /** Change the account's password; the server ends the account's other sessions (they log in again). */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    this.ensureOpen();
    await this.transport.changePassword(currentPassword, newPassword);
  }

  /**
   * End this device's session on the server and forget the token; the store keeps the device (keys,
   * conversations, history) for a later `login`.
   */
  async logout(): Promise<void> {
    this.ensureOpen();
    await this.transport.logout();
    this.device = { ...this.device, token: "", tokenExpiresAt: 0 };
    await this.store.write({ device: this.device });
    await this.close();
  }

  /** Stop live delivery, wait for background work, and close the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.live?.stop();
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
    await this.store.close();
  }

  /** What every (re)connection does: key packages, Welcomes and logs, queued messages in order, own devices. */
  private async catchUp(): Promise<void> {
    await this.replenishKeyPackages();
    await this.sync();
    for (const conv of this.conversations.values()) {
      if (conv.outbox.length === 0) continue;
      const { stopped } = await conv.lock.run(() => flushOutbox(this.ctx, conv));
      if (stopped) throw stopped; // not caught up: live delivery tries again after a back-off
    }
    await checkOwnDevices(this.ctx, (change) => this.emitter.emit("ownDevices", change));
  }

  private setConnection(state: ConnectionState, error?: ParleyClientError): void {
    if (this.connection === state || this.closed) return;
    this.connection = state;
    this.emitter.emit("connection", { state, ...(error ? { error } : {}) });
  }

  private startLive(resyncFirst: boolean): void {
    if (this.live) return;
    this.live = new LiveDelivery(this.transport, {
      loadLastEventId: async () => {
        const v = await this.store.loadMeta(LAST_EVENT_ID);
        return v === undefined ? undefined : Number(v);
      },
      saveLastEventId: (id) =>
        this.closed && !this.live
          ? Promise.resolve()
          : this.store.write({ meta: { [LAST_EVENT_ID]: String(id) } }),
      groupChanged: (groupId) => this.schedule(groupId),
      welcome: () => this.schedule(""),
      resync: () => this.catchUp(),
      connected: () => this.setConnection("connected"),
      disconnected: (error) => this.setConnection("reconnecting", error),
      error: (error) => this.emitter.emit("error", { error }),
    });
    this.live.start({ resyncFirst });
  }

  /** Coalesced background sync of one group ("" = the Welcome inbox): at most one running, one queued. */
  private schedule(key: string): void {
    if (this.closed) return;
    if (key !== "" && !this.conversations.get(key)?.active) key = ""; // a group we do not hold yet: a Welcome
    const state = this.scheduled.get(key);
    if (state) {
      state.again = true;
      return;
    }
    const entry = { again: false };
    this.scheduled.set(key, entry);
    this.background(
      (async () => {
        try {
          do {
            entry.again = false;
            if (key === "") await this.syncWelcomes();
            else {
              const conv = this.conversations.get(key);
              if (conv?.active) await conv.lock.run(() => syncConversation(this.ctx, conv));
            }
          } while (entry.again && !this.closed);
        } finally {
          this.scheduled.delete(key);
        }
      })(),
    );
  }

  private background(task: Promise<unknown>): void {
    const tracked = task
      .catch((err) => {
        // An outage is told by `connection` events, and the reconnect catches up what this missed.
        if (!this.closed && !isClientError(err, "network"))
          this.emitter.emit("error", { error: asClientError(err, "usage", "background work") });
      })
      .finally(() => this.tasks.delete(tracked));
    this.tasks.add(tracked);
  }

  private async syncWelcomes(): Promise<void> {
    const joined = await processWelcomes(this.ctx, this.conversations);
    if (joined.length > 0) {
      // Welcomes consume key packages; top the pool up in the background.
      this.background(this.replenishKeyPackages());
      for (const conv of joined) await conv.lock.run(() => syncConversation(this.ctx, conv));
    }
  }

  private async commitTo(conversationId: string, planner: Parameters<typeof runCommit>[2]): Promise<boolean> {
    const conv = this.conversation(conversationId);
    return conv.lock.run(() => runCommit(this.ctx, conv, planner));
  }

  private conversation(id: string): Conversation {
    this.ensureOpen();
    const conv = this.conversations.get(id);
    if (!conv) throw new ParleyClientError("unknown-conversation", "no such conversation on this device");
    return conv;
  }

  private deviceKeys() {
    return { address: this.ctx.me, keys: this.ctx.keys, identity: this.ctx.identity };
  }

  private ensureOpen(): void {
    if (this.closed) throw new ParleyClientError("usage", "the client is closed");
  }
}

/** An identity from `exportIdentity()`, or a new one; the halves must belong together. */
function importIdentity(exported: Uint8Array | undefined): IdentityKeyPair {
  if (!exported) return generateIdentityKeyPair();
  const identity = { publicKey: exported.slice(0, 32), privateKey: exported.slice(32) };
  try {
    createBinding(identity, "check", identity.publicKey);
  } catch {
    throw new ParleyClientError(
      "usage",
      "identity: not an exported identity key (64 bytes from exportIdentity)",
    );
  }
  return identity;
}
