import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";

/*
 * The store holds keys, the session token and plaintext history: only its owner may read it. Modes are set with
 * chmod, not left to the creation mode, because the umask could widen or narrow what `open`/`mkdir` produce.
 */

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** Create the missing directories of `dir` (each 0700); existing ones are left as they are. */
export function makePrivateDirs(dir: string): void {
  if (existsSync(dir)) return;
  makePrivateDirs(dirname(dir));
  try {
    mkdirSync(dir, { mode: PRIVATE_DIR });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err; // made meanwhile by someone else
    return;
  }
  chmodSync(dir, PRIVATE_DIR);
}

/** Create `path` if missing and make it 0600 (an older, wider store is narrowed too). */
export function makePrivateFile(path: string): void {
  closeSync(openSync(path, "a", PRIVATE_FILE));
  chmodSync(path, PRIVATE_FILE);
}

/** SQLite's companion files (-wal, -shm) take the database's mode; make sure of it for those that exist. */
export function restrictCompanions(path: string): void {
  for (const suffix of ["-wal", "-shm"]) {
    try {
      chmodSync(path + suffix, PRIVATE_FILE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
}
