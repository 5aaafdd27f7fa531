import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Changes } from "@parley/testkit";
import pg from "pg";

const MAIN = fileURLToPath(new URL("../../../cli/dist/src/main.js", import.meta.url));
export const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** One `parley server` process of a cluster. */
export interface Instance {
  readonly url: string;
  readonly child: ChildProcess;
  /** Ends the process without warning (no drain, no closed connections). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** A `parley server` process on a loopback port over `schema` of the shared test database. */
export async function startInstance(schema: string): Promise<Instance> {
  const child = spawn(process.execPath, [MAIN, "server", "--port", "0", "--host", "127.0.0.1"], {
    env: {
      ...process.env,
      PARLEY_DATABASE_URL: POSTGRES_URL,
      PARLEY_DATABASE_SCHEMA: schema,
      PARLEY_LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = once(child, "exit");
  let url: string | undefined;
  let stderr = "";
  const changes = new Changes();
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
    if (found && !url) {
      url = found[1];
      changes.notify();
    }
  });
  child.once("exit", () => changes.notify());
  await changes.until(
    () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited: ${stderr}`);
      return url !== undefined;
    },
    "server listening",
    { timeoutMs: 20_000 },
  );
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url: url as string, child, kill: () => end("SIGKILL"), stop: () => end("SIGTERM") };
}

/** A fresh schema name for one run, and its removal. */
export function freshSchema(tag: string): { name: string; drop(): Promise<void> } {
  const name = `parley_${tag}_${process.pid}_${Date.now()}`;
  return {
    name,
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await client.end();
    },
  };
}
