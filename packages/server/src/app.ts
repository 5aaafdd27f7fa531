import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { ParleyMlsError } from "@parley/mls";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { requestGuard } from "./auth/requestGuard.js";
import { openEventBus } from "./cluster/openBus.js";
import type { ServerConfig } from "./config.js";
import type { ServerContext } from "./context.js";
import { ApiError, RetryLater } from "./errors.js";
import { capConnections, httpOptions } from "./httpLimits.js";
import { scheduleRetention } from "./retentionSweep.js";
import { accountRoutes } from "./routes/accounts.js";
import { deviceRoutes } from "./routes/devices.js";
import { eventRoutes } from "./routes/events.js";
import { groupRoutes } from "./routes/groups.js";
import { keyPackageRoutes } from "./routes/keyPackages.js";
import { SessionStreams } from "./sessionStreams.js";
import { GroupStore } from "./storage/groups.js";
import type { Store } from "./storage/store.js";

/** How long a closing server lets in-flight requests finish before it drops every connection. */
const SHUTDOWN_GRACE_MS = 500;

/** Map anything a handler threw to a status and a JSON body; only a bug gives a 500. */
function errorReply(err: unknown): {
  status: number;
  body: { error: string; message: string; [k: string]: unknown };
} {
  if (err instanceof ApiError)
    return { status: err.status, body: { error: err.code, message: err.message, ...err.details } };
  if (err instanceof ParleyMlsError)
    return { status: 400, body: { error: "invalid_mls", message: err.message } };
  const e = err as { validation?: unknown; statusCode?: number; code?: string; message?: string };
  if (e.validation)
    return { status: 400, body: { error: "invalid_request", message: e.message ?? "invalid request" } };
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    const code =
      e.code === "FST_ERR_CTP_BODY_TOO_LARGE"
        ? "body_too_large"
        : e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
          ? "unsupported_media_type"
          : "bad_request";
    return { status: e.statusCode, body: { error: code, message: e.message ?? code } };
  }
  return { status: 500, body: { error: "internal", message: "internal server error" } };
}

/** Where log lines go: anything that takes one JSON line per `write` (a stream, a formatter, a test sink). */
export interface LogStream {
  write(line: string): void;
}

export interface ServerOptions {
  /** Log lines (JSON, one per call) go here instead of stdout. */
  logStream?: LogStream;
}

/** The Parley HTTP API over a store: routes with schemas, OpenAPI at /openapi.json, docs at /docs. */
export async function buildServer(
  store: Store,
  config: ServerConfig,
  options: ServerOptions = {},
): Promise<FastifyInstance> {
  // Fastify's logger is pino: JSON lines, on stdout unless a stream is given.
  const app = Fastify({
    logger: { level: config.logLevel, ...(options.logStream ? { stream: options.logStream } : {}) },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.limits.bodyBytes,
    // Refuse unknown properties instead of silently dropping them.
    ajv: { customOptions: { removeAdditional: false } },
    ...httpOptions(config.limits),
  });
  capConnections(app.server, config.limits);

  // Control routes take JSON only: anything else is 415, not a string that fails the schema.
  app.removeContentTypeParser("text/plain");
  // MLS messages may be posted raw (RFC 9420 §17.10 media type).
  app.addContentTypeParser(
    ["message/mls", "application/octet-stream"],
    { parseAs: "buffer" },
    (_request, body, done) => done(null, body),
  );

  // One structured line per request.
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.routeOptions.url ?? request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      "request",
    );
  });
  app.setErrorHandler(async (err, request, reply) => {
    const { status, body } = errorReply(err);
    if (err instanceof RetryLater) reply.header("retry-after", String(err.retryAfter));
    if (status >= 500) request.log.error({ err }, "unhandled error");
    return reply.code(status).send(body);
  });
  const now = config.now ?? Date.now;
  const { authenticate, anonymous } = requestGuard(store, config, now);
  // Every route that does not authenticate is anonymous traffic, rated per client address.
  app.addHook("onRoute", (route) => {
    if (route.preHandler !== authenticate) route.onRequest = [...[route.onRequest ?? []].flat(), anonymous];
  });
  app.setNotFoundHandler({ preHandler: anonymous }, async (request, reply) =>
    reply
      .code(404)
      .send({ error: "not_found", message: `no route ${request.method} ${request.url.split("?")[0]}` }),
  );

  await app.register(swagger, {
    openapi: {
      info: { title: "Parley delivery and authentication service", version: "1" },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  const context: ServerContext = { store, config, now, authenticate, streams: new SessionStreams(now) };
  accountRoutes(app, context);
  keyPackageRoutes(app, context);
  deviceRoutes(app, context);
  const bus = await openEventBus(app, context);
  groupRoutes(app, context, new GroupStore(store.db), bus);
  eventRoutes(app, context, bus);

  scheduleRetention(app, store, config);

  // Clients (undici's fetch among them) may hold connections on which they never send a request; Node's
  // server counts those as busy, and its close would wait out their timeout. In-flight requests get a grace.
  app.addHook("preClose", async () => {
    setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  });

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  app.get("/health", { schema: { hide: true } }, async () => ({ ok: true }));
  return app;
}
