/** SQL values Parley stores: text, integers (as numbers or bigints), bytes, null. */
export type SqlValue = string | number | bigint | Uint8Array | null;
export type Row = Record<string, unknown>;

/**
 * The little SQL surface both backends provide. Statements use `?` placeholders; the PostgreSQL backend
 * numbers them. A transaction runs `work` with exclusive use of a connection and commits or rolls back.
 */
export interface Db {
  readonly dialect: "sqlite" | "postgres";
  all(sql: string, params?: SqlValue[]): Promise<Row[]>;
  run(sql: string, params?: SqlValue[]): Promise<{ changes: number }>;
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function one(db: Db, sql: string, params?: SqlValue[]): Promise<Row | undefined> {
  return (await db.all(sql, params))[0];
}
