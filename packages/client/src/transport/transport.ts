/**
 * The client's view of the delivery service (the routes in @parley/server's README). Every method either returns
 * a validated value or throws a ParleyClientError; a `network` error means no answer came back, so a request
 * that changes state may or may not have been applied.
 */

export interface Session {
  readonly token: string;
  readonly deviceId: string;
  readonly expiresAt: number;
}

/** One device of this account as the server lists it. */
export interface AccountDevice {
  readonly deviceId: string;
  readonly signatureKey: Uint8Array;
  readonly createdAt: number;
  readonly revoked: boolean;
  /** The device this session belongs to. */
  readonly current: boolean;
}

export interface CommitBundle {
  readonly commit: Uint8Array;
  readonly welcome?: { readonly deviceIds: string[]; readonly welcome: Uint8Array };
  readonly groupInfo?: Uint8Array;
  readonly added: string[];
  readonly removed: string[];
}

export type CommitOutcome =
  | { readonly kind: "accepted"; readonly seq: number; readonly epoch: number }
  | { readonly kind: "conflict"; readonly currentEpoch: number };

export type MessageOutcome =
  | { readonly kind: "accepted"; readonly seq: number }
  /** The message's epoch is too far behind the group's: re-encrypt on the current epoch. */
  | { readonly kind: "wrong-epoch"; readonly currentEpoch: number };

/** One entry of a group's log: a commit or an application message, in sequence order. */
export interface LogEntry {
  readonly seq: number;
  readonly kind: "commit" | "application";
  /** For a commit, the epoch it was made in (it moves the group to epoch + 1). */
  readonly epoch: number;
  /** The sending device's id. */
  readonly sender: string;
  readonly message: Uint8Array;
}

export interface WelcomeEntry {
  readonly id: number;
  readonly groupId: string;
  /** The Welcome's size in bytes. */
  readonly size: number;
  /** Absent when the Welcome alone is larger than a page this client reads: it cannot be fetched. */
  readonly welcome?: Uint8Array;
}

/** A page of the inbox; `more` when entries remain after it. */
export interface WelcomePage {
  readonly entries: WelcomeEntry[];
  readonly more: boolean;
}

export interface ServerEvent {
  readonly id?: number;
  /** `open` is yielded once when the server accepted the stream (before any event). */
  readonly type: "open" | "message" | "group_update" | "membership" | "welcome" | "lagged";
  readonly groupId?: string;
}

export interface Transport {
  readonly serverUrl: string;
  /** The bearer token used for authenticated routes. */
  setToken(token: string | undefined): void;
  register(username: string, password: string, registrationToken?: string): Promise<void>;
  login(username: string, password: string, signatureKey: Uint8Array): Promise<Session>;
  logout(): Promise<void>;
  /** Change the account's password; the server ends the account's other sessions. */
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
  /** The account's devices, oldest first. */
  listDevices(): Promise<AccountDevice[]>;
  /** Revoke another device of this account (its sessions end; it cannot log in again). */
  revokeDevice(deviceId: string): Promise<void>;
  uploadKeyPackages(keyPackages: Uint8Array[], lastResort?: Uint8Array): Promise<number>;
  keyPackageCount(): Promise<{ available: number; lastResort: boolean }>;
  claimKeyPackages(username: string): Promise<{ deviceId: string; keyPackage: Uint8Array }[]>;
  /** Register a group with its epoch-0 GroupInfo: the server checks every commit against it. */
  createGroup(groupId: string, groupInfo: Uint8Array): Promise<void>;
  /** The group's latest GroupInfo (each commit bundle carries one), for an external join or rejoin. */
  fetchGroupInfo(groupId: string): Promise<Uint8Array>;
  groupStatus(groupId: string): Promise<{ epoch: number; nextSeq: number }>;
  postCommit(groupId: string, bundle: CommitBundle): Promise<CommitOutcome>;
  postMessage(groupId: string, message: Uint8Array, idempotencyKey: string): Promise<MessageOutcome>;
  fetchMessages(groupId: string, after: number, limit: number): Promise<LogEntry[]>;
  /** Welcomes after `after` (acknowledging those up to it), a page that fits the client's response limit. */
  fetchWelcomes(after: number): Promise<WelcomePage>;
  /** The device's event stream from `lastEventId`; ends when the server closes it or `signal` aborts. */
  events(lastEventId: number | undefined, signal: AbortSignal): AsyncIterable<ServerEvent>;
}
