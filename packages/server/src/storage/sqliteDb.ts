import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Db, Row, SqlValue } from "./db.js";
import { GroupCommit } from "./groupCommit.js";

const bind = (params: SqlValue[]) =>
  params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));

function open(file: string): { sqlite: Database.Database; prepare(sql: string): Database.Statement } {
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.defaultSafeIntegers(false);
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = sqlite.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  return { sqlite, prepare };
}

/**
 * SQLite through better-sqlite3, in WAL mode with synchronous=FULL so that an acknowledged write survives a
 * crash or power loss. Two connections to one file: every write goes through the writer in group-commit
 * batches (one fsync acknowledges a burst of writes), and reads outside a transaction use the reader, which
 * in WAL mode sees the last committed state and never waits for, or sees into, an open batch.
 */
export function openSqlite(file: string): Db {
  if (file === ":memory:") throw new Error("Parley's SQLite store needs a file (WAL, two connections)");
  mkdirSync(dirname(file), { recursive: true });
  const writer = open(file);
  const reader = open(file);

  const tx: Db = {
    dialect: "sqlite",
    async all(sql, params = []) {
      const s = writer.prepare(sql);
      if (s.reader) return s.all(...bind(params)) as Row[];
      s.run(...bind(params));
      return [];
    },
    async run(sql, params = []) {
      return { changes: writer.prepare(sql).run(...bind(params)).changes };
    },
    transaction: (inner) => inner(tx),
    close: async () => {},
  };
  const committer = new GroupCommit(async () => {
    let open = true;
    const finish = async (commit: boolean) => {
      if (!open) return;
      open = false;
      try {
        if (commit) writer.prepare("COMMIT").run();
      } finally {
        if (writer.sqlite.inTransaction) writer.sqlite.exec("ROLLBACK");
      }
    };
    writer.prepare("BEGIN IMMEDIATE").run();
    return { tx, exec: async (sql) => void writer.prepare(sql).run(), finish };
  });

  const db: Db = {
    dialect: "sqlite",
    async all(sql, params = []) {
      const s = reader.prepare(sql);
      if (s.readonly) return s.all(...bind(params)) as Row[];
      return committer.run((t) => t.all(sql, params));
    },
    run: (sql, params) => committer.run((t) => t.run(sql, params)),
    transaction: (work) => committer.run(work),
    async close() {
      // Let queued writes finish first.
      await committer.run(async () => undefined);
      writer.sqlite.close();
      reader.sqlite.close();
    },
  };
  return db;
}
