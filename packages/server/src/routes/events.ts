import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";
import { ApiError } from "../errors.js";
import type { EventBus } from "../eventBus.js";
import { SseStream } from "../sseStream.js";
import { eventsFor, type ServerEvent } from "../storage/events.js";
import { bearer, cursor, MAX_INTEGER } from "./schemas.js";

const CATCH_UP_PAGE = 500;

/** The `Last-Event-ID` header: absent, or an event id within MAX_INTEGER. */
function lastEventId(header: string | string[] | undefined): number | undefined {
  if (header === undefined || header === "") return undefined;
  const id = typeof header === "string" && /^\d{1,16}$/.test(header) ? Number(header) : Number.NaN;
  if (!(id <= MAX_INTEGER)) {
    throw new ApiError(400, "invalid_request", `Last-Event-ID must be an integer from 0 to ${MAX_INTEGER}`);
  }
  return id;
}

/**
 * `GET /v1/events`: a device's server-sent events (message, welcome, group_update, membership) with ids.
 * `Last-Event-ID` resumes without loss or duplicates: the log is replayed from there while live events are
 * held back, then the held events newer than the replay follow. A client too far behind (more than
 * `sseBacklogBytes` unsent bytes, or a resume more than `sseReplayEvents` events back) gets `lagged` and is
 * disconnected; it resyncs by fetching.
 */
export function eventRoutes(
  app: FastifyInstance,
  { store, authenticate, config, streams }: ServerContext,
  bus: EventBus,
): void {
  // Event streams end with their sessions, or at shutdown, so that the server's close does not wait.
  app.addHook("preClose", async () => streams.closeEvery());
  app.get<{ Querystring: { lastEventId?: number } }>(
    "/v1/events",
    {
      preHandler: authenticate,
      schema: {
        summary: "Server-sent events for this device; resume with Last-Event-ID",
        tags: ["events"],
        security: bearer,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { lastEventId: cursor },
        },
      },
    },
    async (request, reply) => {
      const lastSent = lastEventId(request.headers["last-event-id"]) ?? request.query.lastEventId ?? 0;
      // A HEAD request gets the stream's headers and no stream.
      if (request.method === "HEAD") return reply.header("content-type", "text/event-stream").send();
      const { deviceId } = request.auth;
      reply.hijack();
      // Tracked before anything is awaited, so that a logout from now on ends this stream.
      const stream = new SseStream(request.raw.socket, lastSent, config.limits.sseBacklogBytes, () => {
        untrack();
        unsubscribe();
      });
      const untrack = streams.add(stream, request.auth);
      let unsubscribe = () => {};
      try {
        const groups = new Set(
          (
            await store.db.all(
              "SELECT group_id FROM group_members WHERE device_id = ? AND removed_seq IS NULL",
              [deviceId],
            )
          ).map((r) => String(r.group_id)),
        );
        if (stream.isClosed) return;
        let replaying = true;
        const held: ServerEvent[] = [];
        unsubscribe = bus.subscribe({
          deviceId,
          groups,
          deliver: (e) => (replaying ? held.push(e) : stream.send(e)),
        });
        for (let replayed = 0; ; ) {
          const page = await eventsFor(store.db, deviceId, stream.lastEventId, CATCH_UP_PAGE);
          replayed += page.length;
          if (replayed > config.limits.sseReplayEvents) {
            stream.lagged();
            break;
          }
          for (const e of page) stream.send(e);
          if (page.length < CATCH_UP_PAGE || stream.isClosed) break;
        }
        replaying = false;
        for (const e of held.sort((a, b) => a.id - b.id)) stream.send(e);
        held.length = 0;
      } catch (err) {
        // The response has begun: a failure can only end the stream (the client resumes from its last id).
        request.log.error({ err }, "event stream failed");
        stream.close();
      }
    },
  );
}
