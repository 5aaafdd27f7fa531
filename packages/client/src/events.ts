import type { ParleyClientError } from "./errors.js";

/** A member device as the application sees it. */
export interface MemberInfo {
  readonly username: string;
  readonly deviceId: string;
  readonly leafIndex: number;
}

export interface MessageEvent {
  readonly conversationId: string;
  /** The server's sequence number in the group's log: a total order for the conversation. */
  readonly seq: number;
  readonly sender: { readonly username: string; readonly deviceId: string };
  readonly text: string;
  /** The sender's clock (claimed, not verified). */
  readonly sentAt: number;
  readonly epoch: number;
}

/** A member device a commit added. */
export interface AddedMember extends MemberInfo {
  /** The user was already a member before this commit: this is another device of theirs (verify its code). */
  readonly newDevice: boolean;
}

export type OutgoingState = "pending" | "sent" | "failed";

/** One of this device's text messages, stored and not yet delivered. */
export interface PendingMessage {
  readonly conversationId: string;
  /** Stable across retries (it is also the Idempotency-Key). */
  readonly id: string;
  readonly text: string;
  readonly sentAt: number;
}

/** One of this device's text messages changed state: stored and queued, stored by the server, or given up. */
export interface OutgoingEvent extends PendingMessage {
  readonly state: OutgoingState;
  /** Once sent: its sequence number in the conversation. */
  readonly seq?: number;
  /** Once failed: why it can no longer be delivered. */
  readonly error?: ParleyClientError;
}

export type ConnectionState = "connected" | "reconnecting";

export interface ClientEvents {
  message: MessageEvent;
  /** A commit changed who is in the conversation (including ours once the server accepted it). */
  membership: {
    readonly conversationId: string;
    readonly epoch: number;
    readonly added: AddedMember[];
    readonly removed: MemberInfo[];
    /** Who committed the change, when known. */
    readonly by?: MemberInfo;
  };
  renamed: { readonly conversationId: string; readonly name: string; readonly by?: MemberInfo };
  /**
   * This device became a member: it created the conversation or processed a Welcome. `rejoined` when it held
   * the conversation as left or removed before: the Welcome brought it back.
   */
  joined: { readonly conversationId: string; readonly name: string; readonly rejoined?: true };
  /**
   * A Welcome in the inbox was not fetched (`too-large`: bigger than a page of this client's response limit) and
   * is skipped for good.
   */
  welcomeSkipped: {
    readonly welcomeId: number;
    readonly conversationId: string;
    readonly size: number;
    readonly reason: "too-large";
  };
  /**
   * A valid Welcome was not adopted, the conversation left unchanged: `active`, this device is a member of the
   * conversation already (a Welcome never replaces a conversation; it may be a forged copy of the group).
   */
  welcomeRefused: { readonly welcomeId: number; readonly conversationId: string; readonly reason: "active" };
  /** This device is no longer a member: it left, or was removed by someone else. */
  left: { readonly conversationId: string; readonly reason: "left" | "removed" };
  /**
   * This device could not process a commit (`reason`), so it rejoined the conversation by external commit from
   * the server's GroupInfo and is a member again at `epoch`. Messages of the epochs it skipped are not readable.
   */
  rejoined: { readonly conversationId: string; readonly epoch: number; readonly reason: ParleyClientError };
  /**
   * This device could not process a commit (`reason`) and cannot rejoin either (`error`: the server's GroupInfo
   * is missing, invalid or behind the group). The conversation's status is now `broken`.
   */
  broken: {
    readonly conversationId: string;
    readonly error: ParleyClientError;
    readonly reason: ParleyClientError;
  };
  error: { readonly error: ParleyClientError; readonly conversationId?: string };
  outgoing: OutgoingEvent;
  /**
   * Live delivery's state: `connected` once caught up and the event stream is open, `reconnecting` (with the
   * failure) while the server is unreachable and the client retries with back-off.
   */
  connection: { readonly state: ConnectionState; readonly error?: ParleyClientError };
  /**
   * The account's other devices changed since this device last looked (on start and every reconnect): a device
   * in `added` is a new login on this account; if it was not its owner, revoke it.
   */
  ownDevices: { readonly added: string[]; readonly removed: string[] };
  /** A known contact has a new device whose binding verifies against a pinned identity key. */
  deviceAdded: { readonly username: string; readonly deviceId: string; readonly conversationId?: string };
  /**
   * A leaf of `username` carries an identity key that is not pinned: the contact is now `changed` and such leaves
   * are refused (the conversation waits) until `acceptIdentity` or `verifyContact`.
   */
  identityChanged: { readonly username: string; readonly deviceId: string; readonly conversationId?: string };
}

export type EventName = keyof ClientEvents;
type Listener<K extends EventName> = (event: ClientEvents[K]) => void;

/** A typed emitter; a throwing listener is isolated so it cannot break delivery to the others or the client. */
export class Emitter {
  private readonly listeners = new Map<EventName, Set<Listener<never>>>();

  on<K extends EventName>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends EventName>(name: K, event: ClientEvents[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as Listener<K>)(event);
      } catch {
        // The application's bug, not ours: delivery to other listeners continues.
      }
    }
  }
}
