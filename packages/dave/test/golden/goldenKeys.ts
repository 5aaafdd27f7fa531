import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The sessions whose keys the golden stores hold. */
export const SESSIONS = [
  { authSessionId: "golden/alice:1", userId: "158049329150427136" },
  { authSessionId: "golden/bob:1", userId: "275247155287654400" },
] as const;

export interface GoldenKeys {
  readonly release: string;
  /** SESSIONS' signature public keys, hex, in order. */
  readonly publicKeys: string[];
  /** Their pairwise fingerprint (version 0), hex. */
  readonly pairwiseFingerprint: string;
}

/** Releases whose key stores every later release must read (directories under test/golden/). */
export const GOLDEN_RELEASES = ["v0.1.0"] as const;

/** A release's golden directory in the source tree (this file runs from dist/test/golden/). */
export function goldenDir(release: string): string {
  return fileURLToPath(new URL(`../../../test/golden/${release}`, import.meta.url));
}

export function goldenKeys(release: string): GoldenKeys {
  return JSON.parse(readFileSync(`${goldenDir(release)}/meta.json`, "utf8")) as GoldenKeys;
}
