import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isClientError, SqliteStore } from "../src/index.js";

/** One writer per store: two would encrypt with the same key generation (issue 10: "Desired gen in the past"). */

const CHILD = fileURLToPath(new URL("../test-fixtures/openStore.js", import.meta.url));

type Outcome = { opened?: true; code?: string; message?: string };

/** Start test-fixtures/openStore.js; resolves with the process and its one-line outcome (bounded). */
async function openInChild(
  mode: "try" | "hold",
  path: string,
): Promise<{ child: ChildProcess; outcome: Outcome }> {
  const child = spawn(process.execPath, [CHILD, mode, path], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const [line] = (await Promise.race([once(lines, "line"), once(child, "exit")])) as [string | number];
  clearTimeout(timer);
  if (typeof line !== "string") throw new Error("the child exited without an answer");
  return { child, outcome: JSON.parse(line) as Outcome };
}

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "parley-lock-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe("the SQLite store", () => {
  it("refuses a second process while open, at once and with a clear error; allows it after close", async (t) => {
    const path = join(await tempDir(t), "device.db");
    const store = SqliteStore.open(path);
    await store.write({ meta: { k: "v" } });
    const started = Date.now();
    const refused = await openInChild("try", path);
    assert.deepEqual(refused.outcome, {
      code: "store-locked",
      message: `another process is using the store at ${path}`,
    });
    t.diagnostic(`refused in ${Date.now() - started} ms (process start included)`);
    assert.equal(await store.loadMeta("k"), "v", "the holder is unaffected");
    await store.close();
    assert.deepEqual((await openInChild("try", path)).outcome, { opened: true });
  });

  it("is released by the OS when its holder is killed", async (t) => {
    const path = join(await tempDir(t), "device.db");
    const holder = await openInChild("hold", path);
    assert.deepEqual(holder.outcome, { opened: true });
    assert.throws(
      () => SqliteStore.open(path),
      (err) => isClientError(err, "store-locked"),
    );
    const exited = once(holder.child, "exit");
    holder.child.kill("SIGKILL");
    await exited;
    const store = SqliteStore.open(path);
    await store.write({ meta: { k: "after" } });
    await store.close();
  });

  it("refuses a second opener in the same process too", async (t) => {
    const path = join(await tempDir(t), "device.db");
    const store = SqliteStore.open(path);
    assert.throws(
      () => SqliteStore.open(path),
      (err) => isClientError(err, "store-locked") && err.message.includes(path),
    );
    await store.close();
    await SqliteStore.open(path).close();
  });

  it("is private whatever the umask: the file and its -wal 0600, the directories it creates 0700", async (t) => {
    const dir = await tempDir(t);
    const path = join(dir, "home", "host", "alice", "device.db");
    const umask = process.umask(0o000); // the widest: nothing would be narrowed by it
    try {
      const store = SqliteStore.open(path);
      await store.write({ meta: { k: "v" } });
      assert.equal(mode(path), 0o600);
      assert.equal(mode(`${path}-wal`), 0o600);
      for (const d of ["home", "home/host", "home/host/alice"]) assert.equal(mode(join(dir, d)), 0o700, d);
      await store.close();

      // A store made world-readable by an older version is narrowed when opened.
      const old = join(dir, "old.db");
      writeFileSync(old, "", { mode: 0o644 });
      await SqliteStore.open(old).close();
      assert.equal(mode(old), 0o600);
    } finally {
      process.umask(umask);
    }
  });
});
