import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!dir.endsWith("/packages/dave")) dir = dirname(dir);
  return resolve(dir, "../..");
}

/** A DAVE test-data file from `../shared/vectors/dave/` beside the repository. */
export function daveVectors<T>(file: string): T {
  return JSON.parse(readFileSync(join(repoRoot(), "..", "shared", "vectors", "dave", file), "utf8")) as T;
}
