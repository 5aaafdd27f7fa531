import pg from "pg";
import type { Db, Row, SqlValue } from "./db.js";
import { GroupCommit } from "./groupCommit.js";

/** `?` placeholders become `$1, $2…` (no Parley statement has a literal question mark). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// BIGINT columns come back as strings by default; Parley's counters fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

const bind = (params: SqlValue[]) =>
  params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));

function over(client: pg.Pool | pg.PoolClient): Pick<Db, "all" | "run"> {
  return {
    async all(sql, params = []) {
      return (await client.query(numbered(sql), bind(params))).rows as Row[];
    },
    async run(sql, params = []) {
      return { changes: (await client.query(numbered(sql), bind(params))).rowCount ?? 0 };
    },
  };
}

/**
 * Every write transaction first takes the schema's transaction lock (in BEGIN's round trip), so that batches
 * of all the instances sharing the database commit one at a time: event-log ids then commit in id order
 * across instances as within one, and a reader resuming "after id N" never misses a smaller id committed
 * later. Taken first, the lock cannot deadlock with the row locks a batch takes after it.
 */
const BEGIN = "BEGIN; SELECT pg_advisory_xact_lock(hashtext('parley:' || current_schema()))";

/**
 * PostgreSQL through a pg pool; `schema` isolates one deployment (or one test run) from another. Reads use any
 * pooled connection; transactions share COMMITs (group commit), one batch at a time.
 */
export async function openPostgres(url: string, schema?: string): Promise<Db> {
  if (schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await setup.end();
    }
  }
  // Every pooled connection starts with the schema on its search path.
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const committer = new GroupCommit(async () => {
    const client = await pool.connect();
    let open = true;
    const finish = async (commit: boolean) => {
      if (!open) return;
      open = false;
      try {
        await client.query(commit ? "COMMIT" : "ROLLBACK");
        client.release();
      } catch (err) {
        // The connection's state is unknown: drop it from the pool.
        client.release(err as Error);
        throw err;
      }
    };
    try {
      await client.query(BEGIN);
    } catch (err) {
      await finish(false).catch(() => undefined);
      throw err;
    }
    const tx: Db = {
      dialect: "postgres",
      ...over(client),
      transaction: (inner) => inner(tx),
      close: async () => {},
    };
    return { tx, exec: async (sql) => void (await client.query(sql)), finish };
  });
  const db: Db = {
    dialect: "postgres",
    ...over(pool),
    transaction: (work) => committer.run(work),
    close: () => pool.end(),
  };
  return db;
}
