import type { FastifyInstance } from "fastify";
import type { ServerConfig } from "../config.js";
import type { ServerContext } from "../context.js";
import { EventBus } from "../eventBus.js";
import { pruneLimiterState } from "../limits/sharedState.js";
import type { Db } from "../storage/db.js";
import { SharedEventBus } from "./sharedEventBus.js";

const HOUR = 3600_000;

/**
 * The instance's event bus: in-process on SQLite (one process owns the file); on PostgreSQL fed from the shared
 * event log, so that any number of instances on one database deliver each other's events. Also serves
 * `/healthz` (the process answers) and `/readyz` (the database answers and, on PostgreSQL, the listener is up).
 */
export async function openEventBus(
  app: FastifyInstance,
  { store, config, streams }: ServerContext,
): Promise<EventBus> {
  const target = config.databaseUrl ? { url: config.databaseUrl, schema: config.databaseSchema } : undefined;
  const shared = target ? await SharedEventBus.open(store.db, target, streams, app.log) : undefined;
  if (shared) {
    app.addHook("onClose", () => shared.close());
    pruneHourly(app, store.db, config);
  }
  app.get("/healthz", { schema: { hide: true } }, async () => ({ ok: true }));
  app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
    const database = await store.db.all("SELECT 1 AS ok").then(
      () => true,
      () => false,
    );
    const listener = shared ? shared.connected : true;
    return reply
      .code(database && listener ? 200 : 503)
      .send({ ok: database && listener, database, listener });
  });
  return shared ?? new EventBus();
}

/** The shared limiter rows are pruned hourly by each instance (deleting what reads as absent is idempotent). */
function pruneHourly(app: FastifyInstance, db: Db, config: ServerConfig): void {
  const timer = setInterval(() => {
    pruneLimiterState(db, config.limits, Date.now()).catch((err: unknown) =>
      app.log.warn({ err: String(err) }, "limiter state prune failed"),
    );
  }, HOUR);
  timer.unref();
  app.addHook("onClose", async () => clearInterval(timer));
}
