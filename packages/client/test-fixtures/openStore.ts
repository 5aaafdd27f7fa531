/**
 * A second process for test/storeLock.test.ts: it opens the SQLite store at STORE and prints one JSON line,
 * `{"opened":true}` or `{"code":…,"message":…}`. With `hold` it keeps the store open until it is killed.
 *
 *   node openStore.js try|hold STORE
 */
import { isClientError, SqliteStore } from "../src/index.js";

const [mode, path] = process.argv.slice(2);
if ((mode !== "try" && mode !== "hold") || !path) {
  process.stderr.write("usage: openStore.js try|hold STORE\n");
  process.exit(2);
}
try {
  const store = SqliteStore.open(path);
  process.stdout.write(`${JSON.stringify({ opened: true })}\n`);
  if (mode === "hold")
    setInterval(() => {}, 60_000); // alive, and holding the lock, until killed
  else await store.close();
} catch (err) {
  if (!isClientError(err)) throw err;
  process.stdout.write(`${JSON.stringify({ code: err.code, message: err.message })}\n`);
}
