import assert from "node:assert/strict";
import { test } from "node:test";
import { createSecretTree, ratchetToGeneration } from "ts-mls/secretTree.js";
import { expandSenderDataKey, expandSenderDataNonce } from "ts-mls/sender.js";
import { family, hex, suiteImpl, toHex } from "./files.js";

interface Generation {
  generation: number;
  handshake_key: string;
  handshake_nonce: string;
  application_key: string;
  application_nonce: string;
}

interface SecretTreeVector {
  cipher_suite: number;
  sender_data: { sender_data_secret: string; ciphertext: string; key: string; nonce: string };
  encryption_secret: string;
  leaves: Generation[][];
}

const NO_REUSE_GUARD = new Uint8Array(4) as never;
const RETENTION = {
  retainKeysForGenerations: 10,
  retainKeysForEpochs: 4,
  maximumForwardRatchetSteps: 1 << 20,
};

const secretTree = family<SecretTreeVector>("secret-tree", "secret-tree.json", async (v) => {
  const cs = await suiteImpl(v.cipher_suite);
  const sd = v.sender_data;
  assert.equal(toHex(await expandSenderDataKey(cs, hex(sd.sender_data_secret), hex(sd.ciphertext))), sd.key);
  assert.equal(
    toHex(await expandSenderDataNonce(cs, hex(sd.sender_data_secret), hex(sd.ciphertext))),
    sd.nonce,
  );

  const tree = await createSecretTree(v.leaves.length, hex(v.encryption_secret), cs.kdf);
  for (const [leafIndex, generations] of v.leaves.entries()) {
    for (const g of generations) {
      const at = { leafIndex, generation: g.generation, reuseGuard: NO_REUSE_GUARD };
      const app = await ratchetToGeneration(tree, at, "application", RETENTION, cs);
      const hs = await ratchetToGeneration(tree, at, "commit", RETENTION, cs);
      const where = `leaf ${leafIndex} generation ${g.generation}`;
      assert.equal(toHex(app.key), g.application_key, `${where}: application key`);
      assert.equal(toHex(app.nonce), g.application_nonce, `${where}: application nonce`);
      assert.equal(toHex(hs.key), g.handshake_key, `${where}: handshake key`);
      assert.equal(toHex(hs.nonce), g.handshake_nonce, `${where}: handshake nonce`);
    }
  }
});

test(secretTree.title, secretTree.run);
