import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Db, Row, SqlValue } from "./db.js";
import { GroupCommit } from "./groupCommit.js";

/** Serializes transactions: better-sqlite3 has one connection, and awaits inside a transaction must not interleave. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return acquired;
  }
}

const bind = (params: SqlValue[]) =>
  params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));

/**
 * SQLite through better-sqlite3, in WAL mode with synchronous=FULL so that an acknowledged write survives a
 * crash or power loss. Transactions share COMMITs (group commit): one fsync acknowledges a burst of writes.
 */
export function openSqlite(file: string): Db {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.defaultSafeIntegers(false);
  const mutex = new Mutex();
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = sqlite.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  const direct = {
    dialect: "sqlite" as const,
    async all(sql: string, params: SqlValue[] = []): Promise<Row[]> {
      const s = prepare(sql);
      if (s.reader) return s.all(...bind(params)) as Row[];
      s.run(...bind(params));
      return [];
    },
    async run(sql: string, params: SqlValue[] = []) {
      return { changes: prepare(sql).run(...bind(params)).changes };
    },
  };
  const locked = async <T>(f: () => Promise<T>): Promise<T> => {
    const release = await mutex.lock();
    try {
      return await f();
    } finally {
      release();
    }
  };
  const tx: Db = { ...direct, transaction: (inner) => inner(tx), close: async () => {} };
  const committer = new GroupCommit(async () => {
    const release = await mutex.lock();
    let open = true;
    const finish = async (commit: boolean) => {
      if (!open) return;
      open = false;
      try {
        if (commit) prepare("COMMIT").run();
      } finally {
        if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
        release();
      }
    };
    try {
      prepare("BEGIN IMMEDIATE").run();
    } catch (err) {
      await finish(false);
      throw err;
    }
    return { tx, exec: async (sql) => void prepare(sql).run(), finish };
  });
  const db: Db = {
    dialect: "sqlite",
    all: (sql, params) => locked(() => direct.all(sql, params)),
    run: (sql, params) => locked(() => direct.run(sql, params)),
    transaction: (work) => committer.run(work),
    close: () => locked(async () => void sqlite.close()),
  };
  return db;
}
