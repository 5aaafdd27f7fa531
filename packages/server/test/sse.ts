import { Changes } from "@parley/testkit";

/** A minimal SSE client for tests: connects with fetch and yields parsed events. */
export interface SseEvent {
  id?: number;
  event: string;
  data: Record<string, unknown>;
}

export function openEvents(base: string, token: string, lastEventId?: number) {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  const changes = new Changes();
  let failed: unknown;
  let onConnected: () => void = () => {};
  let notConnected: (err: unknown) => void = () => {};
  const connected = new Promise<void>((resolve, reject) => {
    onConnected = resolve;
    notConnected = reject;
  });
  connected.catch(() => {}); // a failure is also reported by `until`
  const done = (async () => {
    const response = await fetch(`${base}/v1/events`, {
      headers: {
        authorization: `Bearer ${token}`,
        ...(lastEventId !== undefined ? { "last-event-id": String(lastEventId) } : {}),
      },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
    onConnected();
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split("\n")
            .filter((l) => !l.startsWith(":") && l.includes(":"))
            .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
        );
        if (!fields.event) continue;
        events.push({
          ...(fields.id ? { id: Number(fields.id) } : {}),
          event: fields.event,
          data: JSON.parse(fields.data ?? "{}"),
        });
        changes.notify();
      }
    }
  })().catch((err) => {
    if (!controller.signal.aborted) failed = err;
    notConnected(err);
    changes.notify();
  });
  return {
    events,
    /**
     * Resolves once the server answered: it subscribes the stream in the turn it writes the response head, so
     * every event from then on reaches the stream live, not by replay.
     */
    connected,
    /** Resolves once the stream has ended (the server closed it, or `close`). */
    ended: done,
    /** Resolves once `predicate` holds for the events so far (rejects if the stream failed, or after 60 s). */
    until(predicate: (events: SseEvent[]) => boolean): Promise<void> {
      return changes.until(
        () => {
          if (failed) throw failed;
          return predicate(events);
        },
        "events",
        { state: () => `have ${events.length}` },
      );
    },
    close() {
      controller.abort();
      return done;
    },
  };
}
