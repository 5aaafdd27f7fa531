import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CiphersuiteImpl } from "ts-mls";
import { getCiphersuiteNameFromId } from "ts-mls/crypto/ciphersuite.js";
import { getCiphersuiteFromName, getCiphersuiteImpl, nodeCryptoProvider } from "../../src/index.js";

/** The repository root: the directory holding `packages/` above this compiled file. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!dir.endsWith("/packages/mls")) dir = dirname(dir);
  return resolve(dir, "../..");
}

/** An official MLS test-vector file from the repository's `test-vectors/mls/`. */
export function mlsVectors<T>(file: string): T {
  return JSON.parse(readFileSync(join(repoRoot(), "test-vectors", "mls", file), "utf8")) as T;
}

export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "hex"));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** The engine's ciphersuite implementation on Parley's node:crypto provider: what every vector runs on. */
export function suiteImpl(id: number): Promise<CiphersuiteImpl> {
  return getCiphersuiteImpl(
    getCiphersuiteFromName(getCiphersuiteNameFromId(id as never)),
    nodeCryptoProvider,
  );
}

/** Run `check` on every case, in order, and name the family with its case count in the test output. */
export function family<T>(
  name: string,
  file: string,
  check: (vector: T, index: number) => Promise<void> | void,
) {
  const cases = mlsVectors<T[]>(file);
  return {
    title: `${name}: ${cases.length} cases`,
    async run(): Promise<void> {
      for (const [i, vector] of cases.entries()) {
        try {
          await check(vector, i);
        } catch (err) {
          const suite = (vector as { cipher_suite?: number }).cipher_suite;
          throw new Error(`${name} case ${i}${suite ? ` (suite ${suite})` : ""}: ${(err as Error).message}`, {
            cause: err,
          });
        }
      }
    },
  };
}
