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

export interface ClientEvents {
  message: MessageEvent;
  /** A commit changed who is in the conversation (including ours once the server accepted it). */
  membership: {
    readonly conversationId: string;
    readonly epoch: number;
    readonly added: MemberInfo[];
    readonly removed: MemberInfo[];
    /** Who committed the change, when known. */
    readonly by?: MemberInfo;
  };
  renamed: { readonly conversationId: string; readonly name: string };
  /** This device became a member: it created the conversation or processed a Welcome. */
  joined: { readonly conversationId: string; readonly name: string };
  /** This device is no longer a member: it left, or was removed by someone else. */
  left: { readonly conversationId: string; readonly reason: "left" | "removed" };
  error: { readonly error: ParleyClientError; readonly conversationId?: string };
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
