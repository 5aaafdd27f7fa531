import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildServer, DEFAULT_CONFIG, openStore, type ServerConfig } from "@parley/server";
import { type Listening, restartable } from "@parley/testkit";

/**
 * A real `@parley/server` in the test process, on a loopback port over SQLite in a temp dir. It can go down
 * (`stop`: streams end, connections are refused) and come back (`restart`) at the same URL with the same data.
 */
export interface TestServer {
  readonly url: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), "parley-cli-server-"));
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    port: 0,
    logLevel: "silent",
    sqlitePath: join(dir, "server.db"),
  };
  const server = await restartable((port) => listen(config, port));
  return {
    url: `http://127.0.0.1:${server.port}`,
    stop: server.stop,
    restart: server.restart,
    async close() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function listen(config: ServerConfig, port: number): Promise<Listening> {
  const store = await openStore(config);
  const app = await buildServer(store, config);
  await app.listen({ port, host: "127.0.0.1" });
  return {
    port: (app.server.address() as AddressInfo).port,
    async stop() {
      await app.close();
      await store.db.close();
    },
  };
}
