/**
 * The benchmark's server, in a worker thread so that it has a thread of its own (as a real deployment would)
 * and the clients' time is not spent on it. workerData: the SQLite file. Posts `{ url }` when listening; closes
 * on "stop" and posts "stopped". Imported outside a worker it does nothing.
 */
import type { AddressInfo } from "node:net";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { buildServer, DEFAULT_CONFIG, openStore, type ServerConfig } from "@parley/server";

async function serve(sqlitePath: string): Promise<void> {
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    port: 0,
    logLevel: "silent",
    sqlitePath,
    limits: { ...DEFAULT_CONFIG.limits, requestsPerMinute: 10_000_000, sseBacklogBytes: 64 * 1024 * 1024 },
  };
  const store = await openStore(config);
  const app = await buildServer(store, config);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  parentPort?.on("message", async (message) => {
    if (message !== "stop") return;
    await app.close();
    await store.db.close();
    parentPort?.postMessage("stopped");
    parentPort?.close();
  });
  parentPort?.postMessage({ url: `http://127.0.0.1:${port}` });
}

if (!isMainThread && typeof workerData === "string") await serve(workerData);
