import type { FastifyInstance } from "fastify";
import type { ServerConfig } from "./config.js";
import { prune } from "./storage/retention.js";
import type { Store } from "./storage/store.js";

/** How often expired data is deleted (also once at start). */
const SWEEP_MS = 3600_000;

/** Delete what `limits.retentionMs` no longer keeps: once when the server is ready, then hourly. */
export function scheduleRetention(app: FastifyInstance, store: Store, config: ServerConfig): void {
  if (config.limits.retentionMs <= 0) return;
  const sweep = async () => {
    const now = Date.now();
    const pruned = await prune(store.db, now - config.limits.retentionMs, now);
    app.log.info({ pruned }, "retention sweep");
  };
  const timer = setInterval(
    () => sweep().catch((err) => app.log.error({ err }, "retention sweep failed")),
    SWEEP_MS,
  );
  timer.unref();
  app.addHook("onClose", async () => clearInterval(timer));
  app.addHook("onReady", sweep);
}
