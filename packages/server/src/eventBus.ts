import type { ServerEvent } from "./storage/events.js";

/** A live SSE connection's interest: its device, and the groups it is currently a member of. */
export interface Subscriber {
  readonly deviceId: string;
  readonly groups: Set<string>;
  deliver(event: ServerEvent): void;
}

/**
 * In-process fan-out of events committed to the log. Delivery here is only the live path: a subscriber that
 * misses anything catches up from the event log (Last-Event-ID), which is the source of truth.
 */
export class EventBus {
  private readonly subscribers = new Set<Subscriber>();

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Deliver one committed batch. A commit's events go to the devices it adds and removes as well (as the log
   * replay does: from the joining commit through the removing one), so membership is widened before delivery
   * and narrowed after.
   */
  publish(events: readonly ServerEvent[]): void {
    const members = (e: ServerEvent, key: "added" | "removed") =>
      e.type === "membership" ? ((e.data[key] as string[] | undefined) ?? []) : [];
    for (const s of this.subscribers) {
      for (const e of events)
        if (e.groupId && members(e, "added").includes(s.deviceId)) s.groups.add(e.groupId);
    }
    for (const event of events) {
      for (const s of this.subscribers) {
        const visible =
          event.deviceId !== undefined ? event.deviceId === s.deviceId : s.groups.has(event.groupId ?? "");
        if (visible) s.deliver(event);
      }
    }
    for (const s of this.subscribers) {
      for (const e of events)
        if (e.groupId && members(e, "removed").includes(s.deviceId)) s.groups.delete(e.groupId);
    }
  }
}
