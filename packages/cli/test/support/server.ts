import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildServer, DEFAULT_CONFIG, openStore, type ServerConfig } from "@parley/server";

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
  let running: Listening | undefined = await listen(config, 0);
  const port = running.port;
  const stop = async () => {
    await running?.stop();
    running = undefined;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    stop,
    async restart() {
      running ??= await listen(config, port);
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

interface Listening {
  readonly port: number;
  stop(): Promise<void>;
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
