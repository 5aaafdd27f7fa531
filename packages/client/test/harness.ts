import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildServer, DEFAULT_CONFIG, openStore, type ServerConfig } from "@parley/server";
import { type Listening, restartable } from "@parley/testkit";
import {
  type ClientEvents,
  type ClientStore,
  type CommitBundle,
  type CommitOutcome,
  type EventName,
  HttpTransport,
  MemoryStore,
  ParleyClient,
} from "../src/index.js";

export interface Running {
  readonly url: string;
  readonly dir: string;
  close(): Promise<void>;
}

/** A real server on a loopback port over a SQLite file in a fresh temp dir. */
export async function startServer(overrides: Partial<ServerConfig> = {}): Promise<Running> {
  const server = await startRestartableServer(overrides);
  return { url: server.url, dir: server.dir, close: () => server.close() };
}

export interface Restartable extends Running {
  /** An outage: the server stops (its streams end, connections are refused); its database stays. */
  stop(): Promise<void>;
  /** Back on the same port and database. */
  restart(): Promise<void>;
}

/** A real server that can go down and come back at the same address with the same data. */
export async function startRestartableServer(overrides: Partial<ServerConfig> = {}): Promise<Restartable> {
  const dir = await mkdtemp(join(tmpdir(), "parley-client-"));
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    port: 0,
    logLevel: "silent",
    sqlitePath: join(dir, "server.db"),
    ...overrides,
  };
  const server = await restartable((port) => serve(config, port));
  return {
    url: `http://127.0.0.1:${server.port}`,
    dir,
    stop: server.stop,
    restart: server.restart,
    async close() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function serve(config: ServerConfig, port: number): Promise<Listening> {
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

export const PASSWORD = "correct horse battery";
export const SMALL_POOL = { lowWater: 3, target: 6 };

/** Register a user and start a client for its first device (no live stream unless asked). */
export async function newClient(
  url: string,
  username: string,
  options: { store?: ClientStore; live?: boolean } = {},
): Promise<ParleyClient> {
  const client = await ParleyClient.register({
    serverUrl: url,
    username,
    password: PASSWORD,
    store: options.store ?? new MemoryStore(),
    keyPackagePool: SMALL_POOL,
  });
  await client.start({ live: options.live ?? false });
  return client;
}

/** Collect a client's events of one kind. */
export function collect<K extends EventName>(client: ParleyClient, name: K): ClientEvents[K][] {
  const seen: ClientEvents[K][] = [];
  client.on(name, (e) => seen.push(e));
  return seen;
}

/** Resolve once `predicate` holds, polling; reject after `ms`. */
export async function until(predicate: () => boolean, ms = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** An HTTP transport whose commit posts can be observed and held back (to force races and "crashes"). */
export class ObservedTransport extends HttpTransport {
  readonly outcomes: CommitOutcome["kind"][] = [];
  /** Runs before each commit post is sent; may wait. */
  beforeCommit: (() => Promise<void>) | undefined;
  /** Runs after the server answered a commit post, before the client sees the answer; may never resolve. */
  afterCommit: ((outcome: CommitOutcome) => Promise<void>) | undefined;

  override async postCommit(groupId: string, bundle: CommitBundle): Promise<CommitOutcome> {
    await this.beforeCommit?.();
    const outcome = await super.postCommit(groupId, bundle);
    this.outcomes.push(outcome.kind);
    await this.afterCommit?.(outcome);
    return outcome;
  }
}

/** Register a user with a given transport and store, and start its client. */
export async function clientWith(
  username: string,
  transport: HttpTransport,
  store: ClientStore = new MemoryStore(),
): Promise<ParleyClient> {
  const client = await ParleyClient.register({
    serverUrl: transport.serverUrl,
    username,
    password: PASSWORD,
    store,
    transport,
    keyPackagePool: SMALL_POOL,
  });
  await client.start({ live: false });
  return client;
}
