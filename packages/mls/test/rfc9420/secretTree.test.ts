import assert from "node:assert/strict";
import { test } from "node:test";
import { ParleyMlsError } from "../../src/errors.js";
import { cipherSuite } from "../../src/rfc9420/crypto/index.js";
import { type RatchetKey, SecretTree, senderDataKeyAndNonce } from "../../src/rfc9420/schedule/index.js";
import { prng } from "../mutate.js";
import { family, hex, toHex } from "../vectors/files.js";

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

const invalid = (err: unknown) => err instanceof ParleyMlsError && err.code === "invalid";

const vectors = family<SecretTreeVector>("secret-tree (rfc9420 engine)", "secret-tree.json", (v) => {
  const cs = cipherSuite(v.cipher_suite);
  const sd = v.sender_data;
  const senderData = senderDataKeyAndNonce(cs, hex(sd.sender_data_secret), hex(sd.ciphertext));
  assert.equal(toHex(senderData.key), sd.key, "sender data key");
  assert.equal(toHex(senderData.nonce), sd.nonce, "sender data nonce");

  const tree = new SecretTree(cs, hex(v.encryption_secret), v.leaves.length);
  for (const [leaf, generations] of v.leaves.entries()) {
    for (const g of generations) {
      const where = `leaf ${leaf} generation ${g.generation}`;
      const app = tree.keyFor(leaf, "application", g.generation);
      const hs = tree.keyFor(leaf, "handshake", g.generation);
      assert.equal(toHex(app.key), g.application_key, `${where}: application key`);
      assert.equal(toHex(app.nonce), g.application_nonce, `${where}: application nonce`);
      assert.equal(toHex(hs.key), g.handshake_key, `${where}: handshake key`);
      assert.equal(toHex(hs.nonce), g.handshake_nonce, `${where}: handshake nonce`);
      assert.throws(() => tree.keyFor(leaf, "application", g.generation), invalid, `${where}: erased`);
    }
  }
});

test(vectors.title, vectors.run);

const cs = cipherSuite(1);
const secret = new Uint8Array(32).map((_, i) => i);
const hexOf = (k: RatchetKey) => `${k.generation}:${toHex(k.key)}:${toHex(k.nonce)}`;

test("the tree derives only the path to a leaf used, keeping its copath", () => {
  const tree = new SecretTree(cs, secret, 1024);
  assert.deepEqual(tree.footprint, { nodeSecrets: 1, senders: 0 });
  tree.next(5, "application");
  // The root is replaced by the 10 siblings on leaf 5's path; the leaf became two ratchets.
  assert.deepEqual(tree.footprint, { nodeSecrets: 10, senders: 1 });
  tree.keyFor(4, "handshake", 0);
  assert.deepEqual(tree.footprint, { nodeSecrets: 9, senders: 2 }, "leaf 4's secret was leaf 5's sibling");
  tree.keyFor(1023, "application", 0);
  assert.deepEqual(tree.footprint, { nodeSecrets: 17, senders: 3 });
  assert.deepEqual(
    secret,
    new Uint8Array(32).map((_, i) => i),
    "the caller's encryption_secret is untouched",
  );
});

test("lazy derivation in any leaf order gives the same keys; sending and receiving agree", () => {
  for (const leaves of [1, 3, 8, 13]) {
    const inOrder = new SecretTree(cs, secret, leaves);
    const expected = Array.from({ length: leaves }, (_, leaf) =>
      hexOf(inOrder.keyFor(leaf, "application", 2)),
    );
    const random = prng(leaves);
    const order = Array.from({ length: leaves }, (_, i) => i).sort(() => random() - 0.5);
    const shuffled = new SecretTree(cs, secret, leaves);
    for (const leaf of order) {
      const sender = [0, 1, 2].map(() => shuffled.next(leaf, "application"));
      assert.deepEqual(
        sender.map((k) => k.generation),
        [0, 1, 2],
      );
      assert.equal(hexOf(sender[2] as RatchetKey), expected[leaf], `${leaves} leaves: leaf ${leaf}`);
    }
    assert.equal(shuffled.footprint.nodeSecrets, 0, `${leaves} leaves: every node secret erased`);
  }
});

test("out-of-order delivery inside the window, refusals outside it", () => {
  const reference = new SecretTree(cs, secret, 4);
  const expected = Array.from({ length: 40 }, () => hexOf(reference.next(2, "application")));
  const tree = new SecretTree(cs, secret, 4, { outOfOrderWindow: 8, maxForwardDistance: 100 });
  const random = prng(7);
  const late = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].sort(() => random() - 0.5);
  assert.equal(hexOf(tree.keyFor(2, "application", 10)), expected[10]);
  assert.deepEqual(
    tree.skippedGenerations(2, "application"),
    [2, 3, 4, 5, 6, 7, 8, 9],
    "window keeps the newest 8",
  );
  for (const g of late) {
    if (g < 2) assert.throws(() => tree.keyFor(2, "application", g), invalid, `generation ${g} fell out`);
    else assert.equal(hexOf(tree.keyFor(2, "application", g)), expected[g], `late generation ${g}`);
  }
  assert.deepEqual(tree.skippedGenerations(2, "application"), []);
  assert.throws(() => tree.keyFor(2, "application", 5), invalid, "a used generation is refused");
  assert.throws(() => tree.keyFor(2, "application", 11 + 101), invalid, "too far ahead");
  assert.equal(hexOf(tree.keyFor(2, "application", 11 + 100)), toHexAt(111), "at the forward limit");
  assert.deepEqual(tree.skippedGenerations(2, "handshake"), [], "the handshake ratchet is separate");
  assert.notEqual(hexOf(tree.keyFor(2, "handshake", 10)), expected[10]);
  assert.throws(() => tree.keyFor(2, "application", 2 ** 32), invalid);
  assert.throws(() => tree.keyFor(4, "application", 0), invalid, "leaf outside the tree");
  assert.throws(() => tree.keyFor(-1, "handshake", 0), invalid);
  assert.throws(() => new SecretTree(cs, secret.subarray(1), 4), ParleyMlsError);
  assert.throws(() => new SecretTree(cs, secret, 0), ParleyMlsError);
  assert.throws(() => new SecretTree(cs, secret, 4, { outOfOrderWindow: -1 }), ParleyMlsError);

  function toHexAt(generation: number): string {
    const fresh = new SecretTree(cs, secret, 4);
    return hexOf(fresh.keyFor(2, "application", generation));
  }
});

test("a zero window keeps no skipped keys", () => {
  const tree = new SecretTree(cs, secret, 2, { outOfOrderWindow: 0 });
  tree.keyFor(1, "handshake", 3);
  assert.deepEqual(tree.skippedGenerations(1, "handshake"), []);
  assert.throws(() => tree.keyFor(1, "handshake", 2), invalid);
});
