import Database from "better-sqlite3";
import pg from "pg";
import type { ServerConfig } from "../../src/index.js";

const CONCURRENCY = 64;
const PAYLOAD = "x".repeat(300);

/**
 * The database's own ceiling for what the server does per message: single-row INSERTs, each committed durably
 * on its own, straight through the driver (no Parley code, no group commit), on the same database and settings.
 */
export async function rawInsertRate(config: ServerConfig, count: number): Promise<number> {
  return config.databaseUrl
    ? postgresRate(config.databaseUrl, config.databaseSchema, count)
    : sqliteRate(config.sqlitePath, count);
}

function sqliteRate(file: string, count: number): number {
  const sqlite = new Database(file);
  try {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = FULL");
    sqlite.exec("CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, data TEXT)");
    const insert = sqlite.prepare("INSERT INTO bench_raw (id, data) VALUES (?, ?)");
    const started = performance.now();
    for (let id = 0; id < count; id++) insert.run(id, PAYLOAD);
    return count / ((performance.now() - started) / 1000);
  } finally {
    sqlite.close();
  }
}

/** PostgreSQL commits concurrent transactions with shared WAL flushes: give it the server's concurrency. */
async function postgresRate(url: string, schema: string | undefined, count: number): Promise<number> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  try {
    await pool.query("CREATE TABLE IF NOT EXISTS bench_raw (id BIGINT PRIMARY KEY, data TEXT)");
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count)
          await pool.query("INSERT INTO bench_raw (id, data) VALUES ($1, $2)", [next++, PAYLOAD]);
      }),
    );
    return count / ((performance.now() - started) / 1000);
  } finally {
    await pool.end();
  }
}
