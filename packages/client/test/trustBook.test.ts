import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createBinding,
  DEVICE_BINDING_EXTENSION_TYPE,
  generateIdentityKeyPair,
  type IdentityKeyPair,
  type Member,
  type MlsGroup,
} from "@parley/mls";
import { Random } from "@parley/testkit";
import { Emitter } from "../src/events.js";
import { deviceIdOf, isClientError, MemoryStore } from "../src/index.js";
import { TrustBook } from "../src/trust/trustBook.js";

const random = new Random("trust book");

/** A leaf of `username` with a fresh device key, bound by `identity`. */
function leaf(leafIndex: number, username: string, identity: IdentityKeyPair, claimed = username): Member {
  const signatureKey = random.bytes(32);
  return {
    leafIndex,
    credential: {
      type: "basic",
      identity: new TextEncoder().encode(`${claimed}/${deviceIdOf(signatureKey)}`),
    },
    signatureKey,
    encryptionKey: random.bytes(32),
    extensions: [
      { type: DEVICE_BINDING_EXTENSION_TYPE, data: createBinding(identity, username, signatureKey) },
    ],
  };
}

const groupOf = (members: Member[]) => ({ members: () => members }) as unknown as MlsGroup;

function book() {
  const me = generateIdentityKeyPair();
  const events = new Emitter();
  const changed: string[] = [];
  events.on("identityChanged", (e) => changed.push(e.username));
  const self = leaf(0, "me", me);
  const trust = new TrustBook(
    new MemoryStore(),
    { username: "me", deviceId: "0".repeat(64) },
    me.publicKey,
    events,
  );
  return { trust, self, changed };
}

describe("trust book", () => {
  it("refuses a committer's leaf whose credential changed, even to a validly bound one", async () => {
    const { trust, self } = book();
    const bob = generateIdentityKeyPair();
    const bobLeaf = leaf(1, "bob", bob);
    await trust.checkRoster(groupOf([self, bobLeaf]), "g");
    const renamed = { ...leaf(1, "bob", bob), leafIndex: 1 };
    await assert.rejects(
      trust.checkCommit(groupOf([self, bobLeaf]), groupOf([self, renamed]), 1, "g"),
      (err) => isClientError(err, "untrusted-identity") && /changed its credential/.test(err.message),
    );
    // The same change by another committer is a new leaf at that index: bound by bob's key, accepted.
    await trust.checkCommit(groupOf([self, bobLeaf]), groupOf([self, renamed]), 0, "g");
  });

  it("a new key for a pinned user is accepted only when that user's pinned device adds it", async () => {
    const { trust, self, changed } = book();
    const [bob, bobTablet, carol] = [
      generateIdentityKeyPair(),
      generateIdentityKeyPair(),
      generateIdentityKeyPair(),
    ];
    const [bobLeaf, carolLeaf] = [leaf(1, "bob", bob), leaf(2, "carol", carol)];
    const before = groupOf([self, bobLeaf, carolLeaf]);
    await trust.checkRoster(before, "g");
    const tablet = leaf(3, "bob", bobTablet);
    await assert.rejects(
      trust.checkCommit(before, groupOf([self, bobLeaf, carolLeaf, tablet]), 2, "g"),
      (err) => isClientError(err, "untrusted-identity"),
    );
    assert.deepEqual(changed, ["bob"], "added by carol: bob's identity changed");
    const { trust: other, self: otherSelf } = book();
    const start = groupOf([otherSelf, bobLeaf, carolLeaf]);
    await other.checkRoster(start, "g");
    await other.checkCommit(start, groupOf([otherSelf, bobLeaf, carolLeaf, tablet]), 1, "g");
    assert.equal((await other.contact("bob"))?.identityKeys.length, 2, "added by bob: pinned too");
    // A leaf that names bob but is bound for another username is refused outright.
    const forged = leaf(4, "mallory", carol, "bob");
    await assert.rejects(
      other.checkCommit(start, groupOf([otherSelf, bobLeaf, carolLeaf, forged]), 2, "g"),
      /no valid device binding/,
    );
  });
});
