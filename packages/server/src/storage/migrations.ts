import type { Db } from "./db.js";

/**
 * Ordered schema migrations. Each is written once in portable SQL with two substitutions: `BYTES` (BLOB /
 * BYTEA) and `SERIAL_PK` (an auto-incrementing 64-bit primary key). Applied versions are recorded, so opening a
 * database applies only what it lacks.
 */
const MIGRATIONS: readonly (string | PostgresOnly)[] = [
  `CREATE TABLE accounts (
     id TEXT PRIMARY KEY,
     username TEXT NOT NULL UNIQUE,
     password_hash TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE devices (
     id TEXT PRIMARY KEY,
     account_id TEXT NOT NULL REFERENCES accounts(id),
     signature_key BYTES NOT NULL,
     created_at BIGINT NOT NULL,
     revoked_at BIGINT
   );
   CREATE INDEX devices_account ON devices(account_id);
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     device_id TEXT NOT NULL REFERENCES devices(id),
     account_id TEXT NOT NULL REFERENCES accounts(id),
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX sessions_device ON sessions(device_id);
   CREATE TABLE key_packages (
     id SERIAL_PK,
     device_id TEXT NOT NULL REFERENCES devices(id),
     ref BYTES NOT NULL,
     data BYTES NOT NULL,
     last_resort INTEGER NOT NULL,
     claimed INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX key_packages_available ON key_packages(device_id, last_resort, claimed, id);`,
  `CREATE TABLE groups (
     id TEXT PRIMARY KEY,
     epoch BIGINT NOT NULL,
     next_seq BIGINT NOT NULL,
     group_info BYTES,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE group_members (
     group_id TEXT NOT NULL REFERENCES groups(id),
     device_id TEXT NOT NULL REFERENCES devices(id),
     joined_seq BIGINT NOT NULL,
     removed_seq BIGINT,
     PRIMARY KEY (group_id, device_id)
   );
   CREATE INDEX group_members_device ON group_members(device_id);
   CREATE TABLE messages (
     group_id TEXT NOT NULL REFERENCES groups(id),
     seq BIGINT NOT NULL,
     kind TEXT NOT NULL,
     epoch BIGINT NOT NULL,
     sender_device TEXT NOT NULL,
     data BYTES NOT NULL,
     idempotency_key TEXT,
     created_at BIGINT NOT NULL,
     PRIMARY KEY (group_id, seq)
   );
   CREATE UNIQUE INDEX messages_idempotency ON messages(group_id, sender_device, idempotency_key);
   CREATE TABLE inbox (
     id SERIAL_PK,
     device_id TEXT NOT NULL REFERENCES devices(id),
     group_id TEXT NOT NULL,
     data BYTES NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX inbox_device ON inbox(device_id, id);`,
  `CREATE TABLE event_log (
     id SERIAL_PK,
     group_id TEXT,
     seq BIGINT,
     device_id TEXT,
     type TEXT NOT NULL,
     payload TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX event_log_group ON event_log(group_id, id);
   CREATE INDEX event_log_device ON event_log(device_id, id);`,
  // The creating account, for the per-account group quota (groups created before this have none).
  `ALTER TABLE groups ADD COLUMN created_by TEXT;
   CREATE INDEX groups_created_by ON groups(created_by);`,
  // A Welcome is stored once and its recipients' inbox rows refer to it. Rows from before keep their own copy
  // in inbox.data; newer rows leave it empty (SQLite cannot drop its NOT NULL).
  `CREATE TABLE welcomes (
     id SERIAL_PK,
     group_id TEXT NOT NULL,
     data BYTES NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX welcomes_created ON welcomes(created_at);
   ALTER TABLE inbox ADD COLUMN welcome_id BIGINT REFERENCES welcomes(id);
   CREATE INDEX inbox_welcome ON inbox(welcome_id);`,
  // Instances sharing a PostgreSQL database learn of new events from a notification carrying the statement's
  // highest event id (never content); each reads the rows from the log itself.
  {
    postgres: `CREATE FUNCTION parley_event_log_notify() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify(left('parley:' || TG_TABLE_SCHEMA, 63), (SELECT max(id) FROM new_rows)::text);
         RETURN NULL;
       END $$;
     CREATE TRIGGER event_log_notify AFTER INSERT ON event_log REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION parley_event_log_notify();`,
  },
  // Abuse limits (login back-off, registrations, key package claims) that instances sharing a database share.
  `CREATE TABLE limiter_state (
     name TEXT NOT NULL,
     key TEXT NOT NULL,
     state TEXT NOT NULL,
     updated_at BIGINT NOT NULL,
     PRIMARY KEY (name, key)
   );
   CREATE INDEX limiter_state_updated ON limiter_state(updated_at);`,
];

/** A migration only PostgreSQL needs, run as one script (a function body has semicolons of its own). */
interface PostgresOnly {
  readonly postgres: string;
}

/** The statements of a migration on this database (none for a PostgreSQL-only one on SQLite). */
function statements(db: Db, migration: string | PostgresOnly): string[] {
  if (typeof migration !== "string") return db.dialect === "postgres" ? [migration.postgres] : [];
  return dialectSql(db, migration)
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
}

function dialectSql(db: Db, sql: string): string {
  return db.dialect === "sqlite"
    ? sql.replace(/BYTES/g, "BLOB").replace(/SERIAL_PK/g, "INTEGER PRIMARY KEY AUTOINCREMENT")
    : sql.replace(/BYTES/g, "BYTEA").replace(/SERIAL_PK/g, "BIGSERIAL PRIMARY KEY");
}

export async function migrate(db: Db): Promise<number> {
  await db.run(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
  );
  const applied = new Set(
    (await db.all("SELECT version FROM schema_migrations")).map((r) => Number(r.version)),
  );
  for (const [index, migration] of MIGRATIONS.entries()) {
    const version = index + 1;
    if (applied.has(version)) continue;
    await db.transaction(async (tx) => {
      for (const statement of statements(db, migration)) await tx.run(statement);
      await tx.run("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", [
        version,
        Date.now(),
      ]);
    });
  }
  return MIGRATIONS.length;
}
