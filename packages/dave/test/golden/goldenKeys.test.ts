import assert from "node:assert/strict";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FileKeyStore, pairwiseFingerprint, Session } from "../../src/index.js";
import { GOLDEN_RELEASES, goldenDir, goldenKeys, SESSIONS } from "./goldenKeys.js";

for (const release of GOLDEN_RELEASES) {
  test(`key stores written by release ${release} give the same keys and pairwise fingerprint`, async () => {
    const golden = goldenKeys(release);
    const dir = await mkdtemp(join(tmpdir(), `parley-dave-golden-${release}-`));
    try {
      await cp(join(goldenDir(release), "keys"), dir, { recursive: true });
      const before = await readdir(dir);
      const keyStore = new FileKeyStore(dir);
      const keys: Uint8Array[] = [];
      for (const { authSessionId, userId } of SESSIONS) {
        const session = new Session({ authSessionId, keyStore });
        await session.init(1, userId, "42");
        keys.push(session.signaturePublicKey);
      }
      assert.deepEqual(
        keys.map((k) => Buffer.from(k).toString("hex")),
        golden.publicKeys,
        "the stored keys are loaded, not replaced",
      );
      assert.deepEqual(await readdir(dir), before, "no key was added");
      const [a, b] = SESSIONS;
      const fingerprint = await pairwiseFingerprint(
        0,
        keys[0] as Uint8Array,
        a.userId,
        keys[1] as Uint8Array,
        b.userId,
      );
      assert.equal(Buffer.from(fingerprint).toString("hex"), golden.pairwiseFingerprint);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
