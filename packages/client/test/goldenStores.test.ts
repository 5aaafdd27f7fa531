import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { DEFAULT_CONFIG } from "@parley/server";
import Database from "better-sqlite3";
import { ParleyClient, SqliteStore } from "../src/index.js";
import { GOLDEN_RELEASES, goldenCopy } from "./golden.js";
import { collect, newClient, PASSWORD, SMALL_POOL, startServer } from "./harness.js";

/** The stores remember the old server's address; the same server now listens elsewhere. */
function moveServer(storePath: string, url: string): void {
  const db = new Database(storePath);
  db.prepare("UPDATE device SET server_url = ?").run(url);
  db.close();
}

async function reopen(dir: string, username: string, url: string): Promise<ParleyClient> {
  const path = join(dir, `${username}.sqlite`);
  moveServer(path, url);
  // Log in again (the stored session may have expired since the fixtures were made); it loads the stored state.
  return ParleyClient.login({
    serverUrl: url,
    username,
    password: PASSWORD,
    store: SqliteStore.open(path),
    keyPackagePool: SMALL_POOL,
  });
}

for (const release of GOLDEN_RELEASES) {
  test(`stores written by release ${release} open and continue: history, catch-up, commits, a new member`, async () => {
    const { dir, meta } = await goldenCopy(release);
    // Time-independent: nothing the fixtures hold may be swept for age.
    const server = await startServer({
      sqlitePath: join(dir, "server.sqlite"),
      limits: { ...DEFAULT_CONFIG.limits, retentionMs: 0 },
    });
    try {
      const alice = await reopen(dir, "alice", server.url);
      const bob = await reopen(dir, "bob", server.url);
      const bobSeen = collect(bob, "message");
      const errors = [...collect(alice, "error"), ...collect(bob, "error")];
      await alice.start({ live: false });
      await bob.start({ live: false });

      const id = meta.conversation;
      assert.equal(alice.epoch(id), meta.epoch);
      assert.deepEqual(
        (await alice.history(id)).map((m) => m.text),
        [...meta.history, meta.unread],
      );
      assert.deepEqual(
        bobSeen.map((m) => m.text),
        [meta.unread],
        "bob catches up from his stored cursor",
      );
      assert.deepEqual(
        (await bob.history(id)).map((m) => m.text),
        [...meta.history, meta.unread],
      );

      // Both old states keep committing and messaging; a newcomer joins the old group.
      await bob.send(id, "after the upgrade");
      await bob.updateKeys(id);
      await alice.sync();
      // Lifetimes: after alice's own update no leaf in the tree is a key package leaf of the fixture's day.
      await alice.updateKeys(id);
      const carol = await newClient(server.url, "carol");
      await alice.addMembers(id, ["carol"]);
      await carol.sync();
      await bob.sync();
      const carolSeen = collect(carol, "message");
      await alice.send(id, "welcome, carol");
      await carol.sync();
      await bob.sync();
      assert.deepEqual(
        carolSeen.map((m) => m.text),
        ["welcome, carol"],
      );
      assert.equal(bob.epoch(id), meta.epoch + 3);
      assert.equal(carol.epoch(id), bob.epoch(id));
      assert.deepEqual((await bob.history(id)).map((m) => m.text).slice(-2), [
        "after the upgrade",
        "welcome, carol",
      ]);
      assert.deepEqual(errors, []);
      await Promise.all([alice.close(), bob.close(), carol.close()]);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
