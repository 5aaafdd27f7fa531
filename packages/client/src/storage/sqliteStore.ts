import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { ParleyClientError } from "../errors.js";
import { makePrivateDirs, makePrivateFile, restrictCompanions } from "./privateFiles.js";
import type {
  ClientStore,
  ConversationRecord,
  ConversationStatus,
  DeviceRecord,
  HistoryRecord,
  KeyPackageRecord,
  OutboxRecord,
  PendingCommitRecord,
  StoreBatch,
} from "./store.js";

const SCHEMA_VERSION = 1;

const MIGRATION = `
CREATE TABLE device (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  server_url TEXT NOT NULL, username TEXT NOT NULL, device_id TEXT NOT NULL, suite_id INTEGER NOT NULL,
  signature_public_key BLOB NOT NULL, signature_private_key BLOB NOT NULL,
  token TEXT NOT NULL, token_expires_at INTEGER NOT NULL);
CREATE TABLE conversations (
  group_id TEXT PRIMARY KEY, status TEXT NOT NULL, state BLOB, cursor INTEGER NOT NULL,
  joined_epoch INTEGER NOT NULL, name TEXT NOT NULL, pending TEXT, created_at INTEGER NOT NULL);
CREATE TABLE key_packages (
  ref TEXT PRIMARY KEY, bundle BLOB NOT NULL, last_resort INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE history (
  group_id TEXT NOT NULL, seq INTEGER NOT NULL, username TEXT NOT NULL, device_id TEXT NOT NULL,
  text TEXT NOT NULL, sent_at INTEGER NOT NULL, PRIMARY KEY (group_id, seq));
CREATE TABLE outbox (
  id TEXT PRIMARY KEY, group_id TEXT NOT NULL, epoch INTEGER NOT NULL, message BLOB NOT NULL,
  content BLOB NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** Take the store's exclusive lock, or fail with `store-locked` if another connection holds it. */
function lock(db: Database.Database, path: string): void {
  db.pragma("busy_timeout = 100"); // rides out another opener's brief look at the file, no longer
  db.pragma("locking_mode = EXCLUSIVE");
  try {
    db.exec("BEGIN EXCLUSIVE; COMMIT");
  } catch (err) {
    if (!String((err as { code?: unknown }).code).startsWith("SQLITE_BUSY")) throw err;
    throw new ParleyClientError("store-locked", `another process is using the store at ${path}`, {
      cause: err,
    });
  }
}

function migrate(db: Database.Database): void {
  const version = Number(db.pragma("user_version", { simple: true }));
  if (version === 0) {
    db.transaction(() => {
      db.exec(MIGRATION);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  } else if (version !== SCHEMA_VERSION) {
    throw new ParleyClientError(
      "storage",
      `client store schema ${version}; this build reads ${SCHEMA_VERSION}`,
    );
  }
}

type Row = Record<string, unknown>;
const blob = (v: unknown) => new Uint8Array(v as Buffer);
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const unb64 = (s: unknown) => new Uint8Array(Buffer.from(String(s), "base64"));

function encodePending(p: PendingCommitRecord | null): string | null {
  if (!p) return null;
  return JSON.stringify({
    epoch: p.epoch,
    commit: b64(p.commit),
    ...(p.welcome ? { welcome: b64(p.welcome) } : {}),
    added: p.added,
    removed: p.removed,
    state: b64(p.state),
    ...(p.acceptedSeq !== undefined ? { acceptedSeq: p.acceptedSeq } : {}),
  });
}

function decodePending(text: unknown): PendingCommitRecord | null {
  if (text === null || text === undefined) return null;
  const p = JSON.parse(String(text)) as Record<string, unknown>;
  return {
    epoch: Number(p.epoch),
    commit: unb64(p.commit),
    ...(p.welcome !== undefined ? { welcome: unb64(p.welcome) } : {}),
    added: (p.added as string[]) ?? [],
    removed: (p.removed as string[]) ?? [],
    state: unb64(p.state),
    ...(p.acceptedSeq !== undefined ? { acceptedSeq: Number(p.acceptedSeq) } : {}),
  };
}

/**
 * A ClientStore in one SQLite file (better-sqlite3): WAL, synchronous=FULL, so a batch that `write` returned
 * from survives a crash or power loss; each batch is one transaction. One process at a time (see `open`): two
 * writers would encrypt with the same key generation.
 */
export class SqliteStore implements ClientStore {
  private readonly db: Database.Database;
  /** Prepared statements, compiled once per SQL text (preparing is a large share of a small write's cost). */
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(db: Database.Database) {
    this.db = db;
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Open (or create) the store at `path` and lock it for this store's lifetime: a second opener, in this process
   * or another, fails at once with `store-locked`. The lock is SQLite's exclusive locking mode, taken by a write
   * transaction before anything is read; the OS drops it when the process dies. With the lock held, WAL keeps
   * its index in memory (no -shm file). The file and its -wal are 0600, directories created here 0700.
   */
  static open(path: string): SqliteStore {
    let db: Database.Database | undefined;
    try {
      if (path !== ":memory:") {
        makePrivateDirs(dirname(resolve(path)));
        makePrivateFile(path);
      }
      db = new Database(path);
      lock(db, path);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      migrate(db);
      if (path !== ":memory:") restrictCompanions(path);
    } catch (err) {
      db?.close();
      if (err instanceof ParleyClientError) throw err;
      throw new ParleyClientError("storage", `cannot open client store: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new SqliteStore(db);
  }

  private read<T>(what: string, f: () => T): Promise<T> {
    try {
      return Promise.resolve(f());
    } catch (err) {
      return Promise.reject(
        new ParleyClientError("storage", `reading ${what}: ${(err as Error).message}`, { cause: err }),
      );
    }
  }

  loadDevice(): Promise<DeviceRecord | undefined> {
    return this.read("device", () => {
      const r = this.prepare("SELECT * FROM device WHERE id = 1").get() as Row | undefined;
      return (
        r && {
          serverUrl: String(r.server_url),
          username: String(r.username),
          deviceId: String(r.device_id),
          suiteId: Number(r.suite_id),
          signaturePublicKey: blob(r.signature_public_key),
          signaturePrivateKey: blob(r.signature_private_key),
          token: String(r.token),
          tokenExpiresAt: Number(r.token_expires_at),
        }
      );
    });
  }

  loadConversations(): Promise<ConversationRecord[]> {
    return this.read("conversations", () =>
      (this.prepare("SELECT * FROM conversations ORDER BY created_at").all() as Row[]).map((r) => ({
        groupId: String(r.group_id),
        status: String(r.status) as ConversationStatus,
        state: r.state === null ? null : blob(r.state),
        cursor: Number(r.cursor),
        joinedEpoch: Number(r.joined_epoch),
        name: String(r.name),
        pending: decodePending(r.pending),
        createdAt: Number(r.created_at),
      })),
    );
  }

  loadKeyPackage(ref: string): Promise<KeyPackageRecord | undefined> {
    return this.read("key package", () => {
      const r = this.prepare("SELECT * FROM key_packages WHERE ref = ?").get(ref) as Row | undefined;
      return (
        r && {
          ref: String(r.ref),
          bundle: blob(r.bundle),
          lastResort: r.last_resort === 1,
          createdAt: Number(r.created_at),
        }
      );
    });
  }

  loadOutbox(): Promise<OutboxRecord[]> {
    return this.read("outbox", () =>
      (this.prepare("SELECT * FROM outbox ORDER BY created_at, rowid").all() as Row[]).map((r) => ({
        id: String(r.id),
        groupId: String(r.group_id),
        epoch: Number(r.epoch),
        message: blob(r.message),
        content: blob(r.content),
        createdAt: Number(r.created_at),
      })),
    );
  }

  loadHistory(groupId: string, options: { limit?: number; before?: number } = {}): Promise<HistoryRecord[]> {
    return this.read("history", () =>
      (
        this.prepare("SELECT * FROM history WHERE group_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?").all(
          groupId,
          options.before ?? Number.MAX_SAFE_INTEGER,
          options.limit ?? 100,
        ) as Row[]
      )
        .reverse()
        .map((r) => ({
          groupId: String(r.group_id),
          seq: Number(r.seq),
          username: String(r.username),
          deviceId: String(r.device_id),
          text: String(r.text),
          sentAt: Number(r.sent_at),
        })),
    );
  }

  loadMeta(key: string): Promise<string | undefined> {
    return this.read("meta", () => {
      const r = this.prepare("SELECT value FROM meta WHERE key = ?").get(key) as Row | undefined;
      return r === undefined ? undefined : String(r.value);
    });
  }

  write(batch: StoreBatch): Promise<void> {
    const db = this.db;
    const apply = db.transaction(() => {
      if (batch.device === null) this.prepare("DELETE FROM device").run();
      else if (batch.device) {
        const d = batch.device;
        this.prepare(
          `INSERT OR REPLACE INTO device (id, server_url, username, device_id, suite_id, signature_public_key,
           signature_private_key, token, token_expires_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          d.serverUrl,
          d.username,
          d.deviceId,
          d.suiteId,
          d.signaturePublicKey,
          d.signaturePrivateKey,
          d.token,
          d.tokenExpiresAt,
        );
      }
      const conv = this.prepare(
        `INSERT OR REPLACE INTO conversations (group_id, status, state, cursor, joined_epoch, name, pending, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const c of batch.conversations ?? [])
        conv.run(
          c.groupId,
          c.status,
          c.state,
          c.cursor,
          c.joinedEpoch,
          c.name,
          encodePending(c.pending),
          c.createdAt,
        );
      const kp = this.prepare(
        "INSERT OR REPLACE INTO key_packages (ref, bundle, last_resort, created_at) VALUES (?, ?, ?, ?)",
      );
      for (const k of batch.keyPackages ?? []) kp.run(k.ref, k.bundle, k.lastResort ? 1 : 0, k.createdAt);
      const delKp = this.prepare("DELETE FROM key_packages WHERE ref = ?");
      for (const ref of batch.deleteKeyPackages ?? []) delKp.run(ref);
      const hist = this.prepare(
        "INSERT OR REPLACE INTO history (group_id, seq, username, device_id, text, sent_at) VALUES (?, ?, ?, ?, ?, ?)",
      );
      for (const h of batch.history ?? [])
        hist.run(h.groupId, h.seq, h.username, h.deviceId, h.text, h.sentAt);
      const out = this.prepare(
        // An upsert, not a replace: a message encrypted again keeps its rowid, so its place in the queue.
        `INSERT INTO outbox (id, group_id, epoch, message, content, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET epoch = excluded.epoch, message = excluded.message`,
      );
      for (const o of batch.outbox ?? [])
        out.run(o.id, o.groupId, o.epoch, o.message, o.content, o.createdAt);
      const delOut = this.prepare("DELETE FROM outbox WHERE id = ?");
      for (const id of batch.deleteOutbox ?? []) delOut.run(id);
      const meta = this.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
      for (const [k, v] of Object.entries(batch.meta ?? {})) meta.run(k, v);
    });
    try {
      apply.immediate();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(
        new ParleyClientError("storage", `writing to the client store: ${(err as Error).message}`, {
          cause: err,
        }),
      );
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
