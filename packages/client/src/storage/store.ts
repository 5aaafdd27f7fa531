/**
 * The client's persistence, kept narrow so a browser store (IndexedDB) can implement it later. Reads are by
 * record; every change goes through `write`, which applies a whole batch atomically: a group's state, its cursor,
 * its pending commit and the history it produced land together or not at all.
 */

/** This device: its account, its signature key, its session. Secret: the private key and the token. */
export interface DeviceRecord {
  readonly serverUrl: string;
  readonly username: string;
  readonly deviceId: string;
  readonly suiteId: number;
  readonly signaturePublicKey: Uint8Array;
  readonly signaturePrivateKey: Uint8Array;
  readonly token: string;
  readonly tokenExpiresAt: number;
}

/** A key package this device published, with its private keys (needed to join by Welcome). */
export interface KeyPackageRecord {
  /** KeyPackageRef, hex. */
  readonly ref: string;
  readonly bundle: Uint8Array;
  readonly lastResort: boolean;
  readonly createdAt: number;
}

/**
 * A commit sent (or about to be sent) and not yet merged. It holds everything a rollback or a resend needs: the
 * epoch it was made for, the exact bytes, and the next epoch's state to adopt once the server has it.
 */
export interface PendingCommitRecord {
  readonly epoch: number;
  readonly commit: Uint8Array;
  readonly welcome?: Uint8Array;
  readonly added: string[];
  readonly removed: string[];
  /** Encoded next-epoch group state (adopted only on acceptance). */
  readonly state: Uint8Array;
  /** Set once the server answered 201. */
  readonly acceptedSeq?: number;
}

/** `broken`: this device could neither follow the group nor rejoin it (see the `broken` event). */
export type ConversationStatus = "active" | "left" | "removed" | "broken";

export interface ConversationRecord {
  /** The MLS group id, base64url: the server's group id. */
  readonly groupId: string;
  readonly status: ConversationStatus;
  /** Encoded group state (@parley/mls state codec); null once the device is no longer a member. */
  readonly state: Uint8Array | null;
  /** Highest log sequence number processed. */
  readonly cursor: number;
  /** The epoch this device joined at: earlier messages in the log are not for it. */
  readonly joinedEpoch: number;
  readonly name: string;
  readonly pending: PendingCommitRecord | null;
  readonly createdAt: number;
}

/** A delivered (or sent) chat line; the store keeps the conversation history on this device. */
export interface HistoryRecord {
  readonly groupId: string;
  readonly seq: number;
  readonly username: string;
  readonly deviceId: string;
  readonly text: string;
  readonly sentAt: number;
}

/** An application message encrypted and persisted, not yet acknowledged by the server. */
export interface OutboxRecord {
  /** Also the Idempotency-Key, so a resend after a crash is not stored twice. */
  readonly id: string;
  readonly groupId: string;
  readonly epoch: number;
  readonly message: Uint8Array;
  /** The encoded content, to re-encrypt if the epoch moved too far before delivery. */
  readonly content: Uint8Array;
  readonly createdAt: number;
}

export interface StoreBatch {
  device?: DeviceRecord | null;
  conversations?: ConversationRecord[];
  keyPackages?: KeyPackageRecord[];
  deleteKeyPackages?: string[];
  history?: HistoryRecord[];
  outbox?: OutboxRecord[];
  deleteOutbox?: string[];
  /** Small named values: the Welcome cursor, the last SSE event id. */
  meta?: Record<string, string>;
}

export interface ClientStore {
  loadDevice(): Promise<DeviceRecord | undefined>;
  loadConversations(): Promise<ConversationRecord[]>;
  loadKeyPackage(ref: string): Promise<KeyPackageRecord | undefined>;
  loadOutbox(): Promise<OutboxRecord[]>;
  /** Newest `limit` lines (default 100) with seq below `before`, oldest first. */
  loadHistory(groupId: string, options?: { limit?: number; before?: number }): Promise<HistoryRecord[]>;
  loadMeta(key: string): Promise<string | undefined>;
  /** Apply the whole batch atomically. */
  write(batch: StoreBatch): Promise<void>;
  close(): Promise<void>;
}
