import { parseArgs } from "node:util";
import { buildServer, DEFAULT_CONFIG, openStore, type ServerConfig } from "@parley/server";

/** `parley server [--port N] [--host H] [--db FILE]`; PostgreSQL when PARLEY_DATABASE_URL is set. */
export async function runServer(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: "string" }, host: { type: "string" }, db: { type: "string" } },
    strict: true,
  });
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    ...(values.port ? { port: Number(values.port) } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(values.db ? { sqlitePath: values.db } : {}),
    ...(process.env.PARLEY_DATABASE_URL ? { databaseUrl: process.env.PARLEY_DATABASE_URL } : {}),
    ...(process.env.PARLEY_DATABASE_SCHEMA ? { databaseSchema: process.env.PARLEY_DATABASE_SCHEMA } : {}),
    ...(process.env.PARLEY_REGISTRATION_TOKEN
      ? { registrationToken: process.env.PARLEY_REGISTRATION_TOKEN }
      : {}),
    logLevel: process.env.PARLEY_LOG_LEVEL ?? DEFAULT_CONFIG.logLevel,
  };
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535)
    throw new Error("--port must be 0–65535");
  const store = await openStore(config);
  const app = await buildServer(store, config);
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address() as { port: number };
  app.log.info(
    { port, database: config.databaseUrl ? "postgres" : config.sqlitePath },
    "parley server ready",
  );
  // Graceful shutdown: stop accepting, finish in-flight requests, close the database.
  const stop = async () => {
    await app.close();
    await store.db.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
