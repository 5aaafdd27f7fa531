import { EventBus } from "../eventBus.js";
import type { SessionStreams } from "../sessionStreams.js";
import type { Db } from "../storage/db.js";
import type { ServerEvent } from "../storage/events.js";
import { EventFeed, type FeedLog, type FeedTarget } from "./eventFeed.js";
import { parseEnd, relayEnds } from "./streamEnds.js";

/**
 * The event bus of an instance sharing its PostgreSQL database with others. Committed events are not handed
 * on directly: publishing only wakes the event feed, which delivers every instance's events alike, in
 * event-log order. (Publishing directly could overtake an event another instance committed just before.)
 */
export class SharedEventBus extends EventBus {
  private feed: EventFeed | undefined;

  /** Also relays `streams`' ends to the other instances, and applies theirs. */
  static async open(
    db: Db,
    target: FeedTarget,
    streams: SessionStreams,
    log: FeedLog,
  ): Promise<SharedEventBus> {
    const bus = new SharedEventBus();
    const end = (payload: string) => {
      const parsed = parseEnd(payload);
      if (parsed) streams.apply(parsed);
    };
    bus.feed = await EventFeed.start(db, target, { events: (events) => bus.fanOut(events), end }, log);
    relayEnds(db, streams, log);
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
