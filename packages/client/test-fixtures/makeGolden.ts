/**
 * Writes the golden stores of test/golden/<release>/: a server database and two client stores made by one
 * release, so later releases prove they open and continue what users already have (test/goldenStores.test.ts).
 * Run it only on the release the directory is named after — the point is what *that* code wrote:
 *
 *   npm run build && node packages/client/dist/test-fixtures/makeGolden.js packages/client/test/golden/v0.1.0
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { SqliteStore } from "../src/index.js";
import type { GoldenMeta } from "../test/golden.js";
import { newClient, startServer } from "../test/harness.js";

const out = process.argv[2];
if (!out) {
  process.stderr.write("usage: makeGolden.js OUTDIR\n");
  process.exit(2);
}
const dir = resolve(out);
await mkdir(dir, { recursive: true });

const server = await startServer({ sqlitePath: join(dir, "server.sqlite") });
const alice = await newClient(server.url, "alice", { store: SqliteStore.open(join(dir, "alice.sqlite")) });
const bob = await newClient(server.url, "bob", { store: SqliteStore.open(join(dir, "bob.sqlite")) });
const conversation = await alice.createConversation({ members: ["bob"], name: "golden" });
await bob.sync();
const history: string[] = [];
for (let i = 0; i < 6; i++) {
  const text = `before the upgrade ${i}`;
  await (i % 2 === 0 ? alice : bob).send(conversation, text);
  history.push(text);
  if (i === 2) await bob.updateKeys(conversation); // a stored state past its first epoch
  await alice.sync();
  await bob.sync();
}
// Bob is offline for the last one: the new release must catch him up from a cursor the old one stored.
await bob.close();
const unread = "sent while bob was away";
await alice.send(conversation, unread);
const meta: GoldenMeta = {
  release: "0.1.0",
  createdAt: new Date().toISOString(),
  serverUrl: server.url,
  conversation,
  epoch: alice.epoch(conversation),
  history,
  unread,
};
await alice.close();
await writeFile(join(dir, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
// The server's SQLite file is in `dir`; stopping it checkpoints its WAL into the file.
await server.close(); // it also removes its own temp dir, which `dir` is not
process.stdout.write(`golden stores written to ${dir}\n`);
