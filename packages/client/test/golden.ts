import { cp, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** What test-fixtures/makeGolden.ts recorded beside the stores it wrote. */
export interface GoldenMeta {
  readonly release: string;
  readonly createdAt: string;
  /** The address the stores were made against (a loopback port long gone). */
  readonly serverUrl: string;
  readonly conversation: string;
  readonly epoch: number;
  /** Both sides' history, in order, as the old release stored it. */
  readonly history: string[];
  /** Sent after bob's store was closed: still on the server for him. */
  readonly unread: string;
}

/** The releases whose stores every later release must open (directories under test/golden/). */
export const GOLDEN_RELEASES = ["v0.1.0"] as const;

/** A scratch copy of one release's golden stores (tests write to them), and its metadata. */
export async function goldenCopy(release: string): Promise<{ dir: string; meta: GoldenMeta }> {
  // Compiled to dist/test/golden.js; the fixtures stay in the source tree.
  const source = fileURLToPath(new URL(`../../test/golden/${release}`, import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), `parley-golden-${release}-`));
  await cp(source, dir, { recursive: true });
  const meta = JSON.parse(await readFile(join(dir, "meta.json"), "utf8")) as GoldenMeta;
  return { dir, meta };
}
