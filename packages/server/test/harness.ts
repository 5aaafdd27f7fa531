import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKeyPackage, generateSignatureKeyPair, type MlsSuite } from "@parley/mls";
import pg from "pg";
import {
  buildServer,
  DEFAULT_CONFIG,
  openStore,
  type ServerConfig,
  type ServerOptions,
} from "../src/index.js";

export type Backend = "sqlite" | "postgres";

const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Whether PostgreSQL answers; without it its tests skip, unless PARLEY_REQUIRE_POSTGRES=1 (CI) makes that fatal. */
export async function postgresAvailable(): Promise<boolean> {
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

export interface Running {
  readonly url: string;
  readonly config: ServerConfig;
  close(): Promise<void>;
}

let counter = 0;

/** A real server on a loopback port over a fresh database: a temp SQLite file, or a fresh PostgreSQL schema. */
export async function startServer(
  backend: Backend,
  overrides: Partial<ServerConfig> = {},
  options: ServerOptions = {},
): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), "parley-server-"));
  const schema = `parley_test_${process.pid}_${Date.now()}_${counter++}`;
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    port: 0,
    logLevel: "silent",
    sqlitePath: join(dir, "parley.db"),
    ...(backend === "postgres" ? { databaseUrl: POSTGRES_URL, databaseSchema: schema } : {}),
    ...overrides,
  };
  const store = await openStore(config);
  const app = await buildServer(store, config, options);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    async close() {
      await app.close();
      await store.db.close();
      if (backend === "postgres") {
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** JSON over fetch: status and parsed body. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; raw?: string | Uint8Array; contentType?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers["content-type"] = options.contentType ?? "application/json";
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A device of `name`, registering the account on first use: its session, signature keys and key packages. */
export async function loginDevice(base: string, suite: MlsSuite, name: string) {
  const keys = await generateSignatureKeyPair(suite);
  await call(base, "POST", "/v1/accounts", { body: { username: name, password: `${name} password` } });
  const credentials = {
    username: name,
    password: `${name} password`,
    signatureKey: Buffer.from(keys.publicKey).toString("base64"),
  };
  const session = await call(base, "POST", "/v1/sessions", { body: credentials });
  return {
    credentials,
    keys,
    token: String(session.body.token),
    deviceId: String(session.body.deviceId),
    // The credential a Parley client issues: `username/deviceId`.
    keyPackage: () =>
      createKeyPackage(suite, {
        identity: new TextEncoder().encode(`${name}/${String(session.body.deviceId)}`),
        signatureKeyPair: keys,
      }),
  };
}
