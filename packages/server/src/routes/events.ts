import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";
import { ApiError } from "../errors.js";
import type { EventBus } from "../eventBus.js";
import { eventsFor, type ServerEvent } from "../storage/events.js";
import { bearer } from "./schemas.js";

const HEARTBEAT_MS = 15_000;
const CATCH_UP_PAGE = 500;

const frame = (e: ServerEvent) => `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;

/**
 * `GET /v1/events`: a device's server-sent events (message, welcome, group_update, membership) with ids.
 * `Last-Event-ID` resumes without loss or duplicates: the log is replayed from there while live events are
 * held back, then the held events newer than the replay follow. A client too far behind (more than
 * `maxBacklog` unsent events) gets `lagged` and is disconnected; it resyncs by fetching.
 */
export function eventRoutes(
  app: FastifyInstance,
  { store, authenticate, config }: ServerContext,
  bus: EventBus,
): void {
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
          properties: { lastEventId: { type: "integer", minimum: 0 } },
        },
      },
    },
    async (request, reply) => {
      const header = request.headers["last-event-id"];
      const fromHeader = typeof header === "string" && header !== "" ? Number(header) : undefined;
      if (fromHeader !== undefined && !(Number.isInteger(fromHeader) && fromHeader >= 0)) {
        throw new ApiError(400, "invalid_request", "Last-Event-ID must be a non-negative integer");
      }
      let lastSent = fromHeader ?? request.query.lastEventId ?? 0;
      const { deviceId } = request.auth;
      const groups = new Set(
        (
          await store.db.all(
            "SELECT group_id FROM group_members WHERE device_id = ? AND removed_seq IS NULL",
            [deviceId],
          )
        ).map((r) => String(r.group_id)),
      );

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      let replaying = true;
      let closed = false;
      const held: ServerEvent[] = [];
      const close = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        res.end();
      };
      const send = (e: ServerEvent) => {
        if (closed || e.id <= lastSent) return;
        lastSent = e.id;
        res.write(frame(e));
        if (res.writableLength > config.limits.sseBacklogBytes) {
          res.write(`event: lagged\ndata: ${JSON.stringify({ lastEventId: lastSent })}\n\n`);
          close();
        }
      };
      const unsubscribe = bus.subscribe({
        deviceId,
        groups,
        deliver: (e) => (replaying ? held.push(e) : send(e)),
      });
      const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), HEARTBEAT_MS);
      request.raw.on("close", close);

      res.write(": connected\n\n");
      for (;;) {
        const page = await eventsFor(store.db, deviceId, lastSent, CATCH_UP_PAGE);
        for (const e of page) send(e);
        if (page.length < CATCH_UP_PAGE || closed) break;
      }
      replaying = false;
      for (const e of held.sort((a, b) => a.id - b.id)) send(e);
      held.length = 0;
    },
  );
}
