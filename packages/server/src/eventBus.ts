import type { ServerEvent } from "./storage/events.js";

/** A live SSE connection's interest: its device, and the groups it is currently a member of. */
export interface Subscriber {
  readonly deviceId: string;
  readonly groups: Set<string>;
  deliver(event: ServerEvent): void;
}

/**
 * In-process fan-out of events committed to the log. Delivery here is only the live path: a subscriber that
 * misses anything catches up from the event log (Last-Event-ID), which is the source of truth. Subscribers
 * are indexed by device and by group, so publishing costs the recipients, not every connection.
 */
export class EventBus {
  private readonly byDevice = new Map<string, Set<Subscriber>>();
  private readonly byGroup = new Map<string, Set<Subscriber>>();

  subscribe(subscriber: Subscriber): () => void {
    add(this.byDevice, subscriber.deviceId, subscriber);
    for (const groupId of subscriber.groups) add(this.byGroup, groupId, subscriber);
    return () => {
      remove(this.byDevice, subscriber.deviceId, subscriber);
      for (const groupId of subscriber.groups) remove(this.byGroup, groupId, subscriber);
    };
  }

  /**
   * Deliver one committed batch. A commit's events go to the devices it adds and removes as well (as the log
   * replay does: from the joining commit through the removing one), so membership is widened before delivery
   * and narrowed after.
   */
  publish(events: readonly ServerEvent[]): void {
    const changes = events.filter((e) => e.type === "membership" && e.groupId !== undefined);
    for (const e of changes) this.join(e.groupId as string, (e.data.added as string[] | undefined) ?? []);
    for (const event of events) {
      const recipients =
        event.deviceId !== undefined
          ? this.byDevice.get(event.deviceId)
          : this.byGroup.get(event.groupId ?? "");
      for (const s of recipients ?? []) s.deliver(event);
    }
    for (const e of changes) this.leave(e.groupId as string, (e.data.removed as string[] | undefined) ?? []);
  }

  private join(groupId: string, deviceIds: readonly string[]): void {
    for (const deviceId of deviceIds) {
      for (const s of this.byDevice.get(deviceId) ?? []) {
        s.groups.add(groupId);
        add(this.byGroup, groupId, s);
      }
    }
  }

  private leave(groupId: string, deviceIds: readonly string[]): void {
    for (const deviceId of deviceIds) {
      for (const s of this.byDevice.get(deviceId) ?? []) {
        s.groups.delete(groupId);
        remove(this.byGroup, groupId, s);
      }
    }
  }
}

function add(index: Map<string, Set<Subscriber>>, key: string, s: Subscriber): void {
  const set = index.get(key);
  if (set) set.add(s);
  else index.set(key, new Set([s]));
}

function remove(index: Map<string, Set<Subscriber>>, key: string, s: Subscriber): void {
  const set = index.get(key);
  if (set?.delete(s) && set.size === 0) index.delete(key);
}
