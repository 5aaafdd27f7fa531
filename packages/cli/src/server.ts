import { parseArgs } from "node:util";
import { buildServer, DEFAULT_CONFIG, openStore, type ServerConfig } from "@parley/server";
import { port } from "./args.js";
import { CliError } from "./errors.js";
import { logFormat, logLevel, logStream } from "./logOutput.js";
import { connectFailureReason } from "./socketErrors.js";

/** The database in words, without credentials: "SQLite ./data/parley.db" or "PostgreSQL host:5432/db". */
function databaseName(config: ServerConfig): string {
  if (!config.databaseUrl) return `SQLite ${config.sqlitePath}`;
  const schema = config.databaseSchema ? ` (schema ${config.databaseSchema})` : "";
  try {
    const url = new URL(config.databaseUrl);
    return `PostgreSQL ${url.host}${url.pathname}${schema}`;
  } catch {
    return `PostgreSQL${schema}`;
  }
}

function serverConfig(args: string[]): { config: ServerConfig; logFormat: string | undefined } {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      db: { type: "string" },
      "log-format": { type: "string" },
    },
    strict: true,
  });
  const env = process.env;
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    port: port(values.port, DEFAULT_CONFIG.port),
    host: values.host || DEFAULT_CONFIG.host,
    sqlitePath: values.db || DEFAULT_CONFIG.sqlitePath,
    ...(env.PARLEY_DATABASE_URL ? { databaseUrl: env.PARLEY_DATABASE_URL } : {}),
    ...(env.PARLEY_DATABASE_SCHEMA ? { databaseSchema: env.PARLEY_DATABASE_SCHEMA } : {}),
    ...(env.PARLEY_REGISTRATION_TOKEN ? { registrationToken: env.PARLEY_REGISTRATION_TOKEN } : {}),
    logLevel: logLevel(),
  };
  return { config, logFormat: values["log-format"] };
}

/** `parley server [--port N] [--host H] [--db FILE] [--log-format json|pretty]`; PostgreSQL with PARLEY_DATABASE_URL. */
export async function runServer(args: string[]): Promise<void> {
  const { config, logFormat: format } = serverConfig(args);
  const stream = logStream(logFormat(format));
  const database = databaseName(config);
  const store = await openStore(config).catch((err: unknown) => {
    throw new CliError(`cannot open the database (${database}): ${connectFailureReason(err)}`, 1, {
      cause: err,
    });
  });
  const app = await buildServer(store, config, stream ? { logStream: stream } : {});
  const stop = async () => {
    await app.close();
    await store.db.close();
  };
  try {
    // Fastify logs the listening line itself (one per address when listening on all interfaces).
    await app.listen({
      port: config.port,
      host: config.host,
      listenTextResolver: (address) => `parley server listening on ${address}, database ${database}`,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  // Graceful shutdown: stop accepting, finish in-flight requests, close the database.
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
