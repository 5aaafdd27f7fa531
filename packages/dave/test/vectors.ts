import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!dir.endsWith("/packages/dave")) dir = dirname(dir);
  return resolve(dir, "../..");
}

/** A DAVE test-data file from the repository's `test-vectors/dave/`. */
export function daveVectors<T>(file: string): T {
  return JSON.parse(readFileSync(join(repoRoot(), "test-vectors", "dave", file), "utf8")) as T;
}
