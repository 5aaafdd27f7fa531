import type { ServerConfig } from "./config.js";
import type { Db } from "./storage/db.js";
import { migrate } from "./storage/migrations.js";
import { openPostgres } from "./storage/postgresDb.js";
import { openSqlite } from "./storage/sqliteDb.js";
import { Store } from "./storage/store.js";

/** Open the configured database (PostgreSQL when a URL is set, else SQLite) and bring its schema up to date. */
export async function openStore(config: ServerConfig): Promise<Store> {
  const db: Db = config.databaseUrl
    ? await openPostgres(config.databaseUrl, config.databaseSchema)
    : openSqlite(config.sqlitePath);
  await migrate(db);
  return new Store(db);
}
