/** A minimal SSE client for tests: connects with fetch and yields parsed events. */
export interface SseEvent {
  id?: number;
  event: string;
  data: Record<string, unknown>;
}

export function openEvents(base: string, token: string, lastEventId?: number) {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  let failed: unknown;
  let markOpened = () => {};
  const opened = new Promise<void>((resolve) => {
    markOpened = resolve;
  });
  const done = (async () => {
    const response = await fetch(`${base}/v1/events`, {
      headers: {
        authorization: `Bearer ${token}`,
        ...(lastEventId !== undefined ? { "last-event-id": String(lastEventId) } : {}),
      },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
    markOpened();
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
        for (const w of waiters.splice(0)) w();
      }
    }
  })().catch((err) => {
    if (!controller.signal.aborted) failed = err;
    for (const w of waiters.splice(0)) w();
  });
  return {
    events,
    /** Resolves once the server has answered with the stream's headers. */
    opened,
    /** Resolves once the stream has ended (the server closed it, or `close`). */
    ended: done,
    /** Resolves once `predicate` holds for the events so far (or rejects after `ms`). */
    async until(predicate: (events: SseEvent[]) => boolean, ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!predicate(events)) {
        if (failed) throw failed;
        if (Date.now() > deadline) throw new Error(`timed out waiting for events; have ${events.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    close() {
      controller.abort();
      return done;
    },
  };
}
