import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the directory holding `packages/` above this compiled file. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!dir.endsWith("/packages/mls")) dir = dirname(dir);
  return resolve(dir, "../..");
}

/** An official MLS test-vector file from `../shared/vectors/mls/` beside the repository. */
export function mlsVectors<T>(file: string): T {
  return JSON.parse(readFileSync(join(repoRoot(), "..", "shared", "vectors", "mls", file), "utf8")) as T;
}

export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "hex"));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
