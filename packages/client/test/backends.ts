import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildServer, DEFAULT_CONFIG, openStore, type ServerConfig } from "@parley/server";
import pg from "pg";
import { type Running, startServer } from "./harness.js";

/** The server's two databases: SQLite in a temp dir, and PostgreSQL in a fresh schema when it answers. */
export type Backend = "sqlite" | "postgres";

const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Whether PostgreSQL answers; PARLEY_REQUIRE_POSTGRES=1 (CI) makes its absence fatal. */
async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    if (process.env.PARLEY_REQUIRE_POSTGRES === "1")
      throw new Error(`PostgreSQL required but unreachable at ${POSTGRES_URL}`);
    return false;
  }
}

export async function backends(): Promise<Backend[]> {
  return ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];
}

let counter = 0;

/** A real server on loopback over the given database; closing it drops a PostgreSQL schema. */
export async function startServerOn(backend: Backend): Promise<Running> {
  if (backend === "sqlite") return startServer();
  const schema = `parley_client_test_${process.pid}_${Date.now()}_${counter++}`;
  const server = await startServer({ databaseUrl: POSTGRES_URL, databaseSchema: schema });
  return {
    ...server,
    async close() {
      await server.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

/**
 * A real server on loopback whose database the test can also write to directly (`store`), as a malicious server
 * would; closing it drops a PostgreSQL schema.
 */
export async function startServerWithStore(backend: Backend, overrides: Partial<ServerConfig> = {}) {
  const dir = await mkdtemp(join(tmpdir(), "parley-client-"));
  const schema = `parley_client_store_${process.pid}_${Date.now()}_${counter++}`;
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    port: 0,
    logLevel: "silent",
    sqlitePath: join(dir, "server.db"),
    ...(backend === "postgres" ? { databaseUrl: POSTGRES_URL, databaseSchema: schema } : {}),
    ...overrides,
  };
  const store = await openStore(config);
  const app = await buildServer(store, config);
  await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    store,
    async close() {
      await app.close();
      if (backend === "postgres") await store.db.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await store.db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
