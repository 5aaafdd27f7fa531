import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FileKeyStore, MemoryKeyStore, Session } from "../../src/index.js";

test("a persisted signature key survives across sessions (file store in a temp dir, memory store)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "parley-dave-keys-"));
  try {
    for (const keyStore of [new FileKeyStore(join(dir, "keys")), new MemoryKeyStore()]) {
      const first = new Session({ authSessionId: "auth/session:1", keyStore });
      await first.init(1, "1", "2");
      const second = new Session({ authSessionId: "auth/session:1", keyStore });
      await second.init(1, "1", "2");
      assert.equal(first.signaturePublicKey.length, 65);
      assert.deepEqual(
        second.signaturePublicKey,
        first.signaturePublicKey,
        "same key for the same auth session",
      );
      const other = new Session({ authSessionId: "another", keyStore });
      await other.init(1, "1", "2");
      assert.notDeepEqual(other.signaturePublicKey, first.signaturePublicKey);
    }
    const files = await readdir(join(dir, "keys"));
    assert.equal(files.length, 2);
    assert.equal(
      (await stat(join(dir, "keys", files[0] as string))).mode & 0o777,
      0o600,
      "key files are private",
    );
    assert.throws(() => new Session({ authSessionId: "x" }), /needs a keyStore/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a FileKeyStore with a constant fileName keeps a single identity file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "parley-dave-identity-"));
  try {
    const keyStore = new FileKeyStore(dir, () => "identity.json");
    const first = new Session({ authSessionId: "a", keyStore });
    await first.init(1, "1", "2");
    const second = new Session({ authSessionId: "a", keyStore });
    await second.init(1, "1", "2");
    assert.deepEqual(second.signaturePublicKey, first.signaturePublicKey);
    assert.deepEqual(await readdir(dir), ["identity.json"]);
    assert.equal((await stat(join(dir, "identity.json"))).mode & 0o777, 0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
