import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import pg from "pg";
import type { Db } from "../src/storage/db.js";
import { openPostgres } from "../src/storage/postgresDb.js";
import { openSqlite } from "../src/storage/sqliteDb.js";
import { postgresAvailable } from "./harness.js";

const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Twenty transactions at once (one batch); the seventh writes a row and then fails. */
async function oneFailsInABatch(db: Db): Promise<void> {
  await db.run("CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT NOT NULL)");
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) =>
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO items (id, note) VALUES (?, ?)", [i, `item ${i}`]);
        if (i === 6) throw new Error("work 6 refuses");
        return i;
      }),
    ),
  );
  assert.deepEqual(
    results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message)),
    Array.from({ length: 20 }, (_, i) => (i === 6 ? "work 6 refuses" : i)),
  );
  const rows = await db.all("SELECT id FROM items ORDER BY id");
  assert.deepEqual(
    rows.map((r) => Number(r.id)),
    Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 6),
    "the failed work's row is undone, every other one committed",
  );
  // A constraint violation inside a batch is contained the same way.
  const again = await Promise.allSettled([
    db.transaction((tx) => tx.run("INSERT INTO items (id, note) VALUES (?, ?)", [100, "new"])),
    db.transaction((tx) => tx.run("INSERT INTO items (id, note) VALUES (?, ?)", [0, "duplicate"])),
    db.transaction((tx) => tx.run("INSERT INTO items (id, note) VALUES (?, ?)", [101, "new"])),
  ]);
  assert.deepEqual(
    again.map((r) => r.status),
    ["fulfilled", "rejected", "fulfilled"],
  );
  assert.equal(Number((await db.all("SELECT COUNT(*) AS n FROM items"))[0]?.n), 21);
}

test("group commit contains a failing work to itself (sqlite)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "parley-gc-"));
  const db = openSqlite(join(dir, "gc.db"));
  try {
    await oneFailsInABatch(db);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});

if (await postgresAvailable()) {
  test("group commit contains a failing work to itself (postgres)", async () => {
    const schema = `parley_gc_${process.pid}_${Date.now()}`;
    const db = await openPostgres(POSTGRES_URL, schema);
    try {
      await oneFailsInABatch(db);
    } finally {
      await db.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
}
