import type { CryptoProvider, GroupOptions, IdentityKeyPair, MlsSuite, SignatureKeyPair } from "@parley/mls";
import type { Emitter } from "./events.js";
import type { DeviceAddress } from "./identity.js";
import type { ClientStore } from "./storage/store.js";
import type { Transport } from "./transport/transport.js";
import type { TrustBook } from "./trust/trustBook.js";

/** What the client's parts share: this device, its store and transport, and the application's event sink. */
export interface ClientContext {
  readonly suite: MlsSuite;
  readonly me: DeviceAddress;
  readonly keys: SignatureKeyPair;
  /** The account's identity key: it signs this device's binding. */
  readonly identity: IdentityKeyPair;
  /** Pinned identity keys, and the check of every leaf this device accepts. */
  readonly trust: TrustBook;
  readonly store: ClientStore;
  readonly transport: Transport;
  readonly groupOptions: GroupOptions;
  /** The MLS crypto provider when not the default (node:crypto); stored states are decoded with it. */
  readonly provider?: CryptoProvider;
  readonly events: Emitter;
  /** How many times a commit that lost the epoch race is retried on the new epoch. */
  readonly maxCommitRetries: number;
  /** Log page size (the server allows up to 1000). */
  readonly pageSize: number;
  /** Run work outside the conversation's lock once the current step is done (e.g. removing a member who left). */
  defer(task: () => Promise<void>): void;
  /** Another member asked to leave; this device is the one to commit their removal. */
  removeLeaver(conversationId: string, username: string): Promise<void>;
}
