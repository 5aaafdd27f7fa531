import { EventBus } from "../eventBus.js";
import type { Db } from "../storage/db.js";
import type { ServerEvent } from "../storage/events.js";
import { EventFeed, type FeedLog, type FeedTarget } from "./eventFeed.js";

/**
 * The event bus of an instance sharing its PostgreSQL database with others. Committed events are not handed
 * on directly: publishing only wakes the event feed, which delivers every instance's events alike, in
 * event-log order. (Publishing directly could overtake an event another instance committed just before.)
 */
export class SharedEventBus extends EventBus {
  private feed: EventFeed | undefined;

  static async open(db: Db, target: FeedTarget, log: FeedLog): Promise<SharedEventBus> {
    const bus = new SharedEventBus();
    bus.feed = await EventFeed.start(db, target, (events) => bus.fanOut(events), log);
    return bus;
  }

  /** Whether other instances' events reach this one now (readiness). */
  get connected(): boolean {
    return this.feed?.connected ?? false;
  }

  override publish(_events: readonly ServerEvent[]): void {
    this.feed?.poke();
  }

  close(): Promise<void> {
    return this.feed?.close() ?? Promise.resolve();
  }

  private fanOut(events: readonly ServerEvent[]): void {
    super.publish(events);
  }
}
