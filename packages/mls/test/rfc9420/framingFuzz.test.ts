import assert from "node:assert/strict";
import { test } from "node:test";
import { type Random, testRandom } from "@parley/testkit";
import { ParleyMlsError } from "../../src/errors.js";
import { decodeAll, encodeWith } from "../../src/rfc9420/codec/index.js";
import { cipherSuite } from "../../src/rfc9420/crypto/index.js";
import {
  type PrivateFraming,
  protectPrivateMessage,
  signPrivateContent,
  unprotectPrivateMessage,
} from "../../src/rfc9420/framing/privateMessage.js";
import {
  type PublicFraming,
  publicMessage,
  signPublicContent,
  unprotectPublicMessage,
} from "../../src/rfc9420/framing/publicMessage.js";
import { SecretTree } from "../../src/rfc9420/schedule/index.js";
import * as wire from "../../src/rfc9420/wire/index.js";
import { toHex } from "../vectors/files.js";

const suite = cipherSuite(1);
const SENDER = 2;
const LEAVES = 4;
const encryptionSecret = new Uint8Array(32).fill(7);
const groupContext: wire.GroupContext = {
  version: 1,
  cipherSuite: 1,
  groupId: new TextEncoder().encode("framing fuzz"),
  epoch: 5n,
  treeHash: new Uint8Array(32).fill(1),
  confirmedTranscriptHash: new Uint8Array(32).fill(2),
  extensions: [],
};
const keys = await suite.generateSignatureKeyPair();
const stranger = await suite.generateSignatureKeyPair();
const signers = (leaf: number) => (leaf === SENDER ? keys.publicKey : undefined);

const framing = (secretTree = new SecretTree(suite, encryptionSecret, LEAVES)): PrivateFraming => ({
  suite,
  groupContext,
  senderDataSecret: new Uint8Array(32).fill(3),
  secretTree,
});
const pubFraming: PublicFraming = { suite, groupContext, membershipKey: new Uint8Array(32).fill(4) };

function content(i: number): wire.FramedContent {
  const base = {
    groupId: groupContext.groupId,
    epoch: groupContext.epoch,
    sender: { senderType: wire.SenderType.member, leafIndex: SENDER } as const,
    authenticatedData: Uint8Array.of(i),
  };
  if (i % 2 === 0)
    return { ...base, contentType: wire.ContentType.application, applicationData: new Uint8Array(i + 1) };
  const proposal: wire.Proposal = { proposalType: wire.ProposalType.remove, removed: i };
  return { ...base, contentType: wire.ContentType.proposal, proposal };
}

async function sealMessages(sender: PrivateFraming, count: number, signKey = keys.signKey) {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const c = content(i);
    const auth = { signature: await signPrivateContent(sender, signKey, c) };
    const privateMessage = protectPrivateMessage(sender, c, auth, { paddingBlock: 16 });
    out.push(
      encodeWith({ version: 1, wireFormat: 2, privateMessage } as wire.MlsMessage, wire.encodeMlsMessage),
    );
  }
  return out;
}

async function openPrivate(receiver: PrivateFraming, bytes: Uint8Array) {
  const m = decodeAll(bytes, wire.decodeMlsMessage, "MLSMessage");
  if (m.wireFormat !== wire.WireFormat.privateMessage) throw new ParleyMlsError("invalid", "not private");
  return unprotectPrivateMessage(receiver, m.privateMessage, signers);
}

async function openPublic(bytes: Uint8Array) {
  const m = decodeAll(bytes, wire.decodeMlsMessage, "MLSMessage");
  if (m.wireFormat !== wire.WireFormat.publicMessage) throw new ParleyMlsError("invalid", "not public");
  return unprotectPublicMessage(pubFraming, m.publicMessage, keys.publicKey);
}

/** A copy with a flipped bit, an overwritten byte, a cut, an inserted run or a duplicated run; never equal. */
function mutate(random: Random, input: Uint8Array): Uint8Array {
  const at = random.int(input.length);
  const out = input.slice();
  switch (random.int(4)) {
    case 0:
      out[at]! ^= 1 << random.int(8);
      return out;
    case 1:
      out[at] = (out[at]! + 1 + random.int(255)) & 0xff;
      return out;
    case 2:
      return input.slice(0, at);
    default:
      return Buffer.concat([input.subarray(0, at), random.bytes(1 + random.int(8)), input.subarray(at)]);
  }
}

async function refused(f: () => Promise<unknown>, what: string): Promise<string> {
  try {
    await f();
  } catch (err) {
    assert.ok(err instanceof ParleyMlsError, `${what}: ${(err as Error).name} instead of a ParleyMlsError`);
    return err.code;
  }
  assert.fail(`${what} was accepted`);
}

test("mutated PrivateMessages are refused and leave the ratchets able to open the genuine ones", async (t) => {
  const random = testRandom(t);
  const genuine = await sealMessages(framing(), 8);
  const receiver = framing();
  const codes: Record<string, number> = {};
  const order = [3, 0, 7, 1, 2, 6, 4, 5];
  for (const i of order) {
    const bytes = genuine[i]!;
    for (let k = 0; k < 150; k++) {
      const code = await refused(() => openPrivate(receiver, mutate(random, bytes)), `mutation ${k} of ${i}`);
      codes[code] = (codes[code] ?? 0) + 1;
    }
    const opened = await openPrivate(receiver, bytes);
    assert.equal(toHex(opened.content.authenticatedData), toHex(Uint8Array.of(i)), `message ${i} opens`);
    assert.equal(await refused(() => openPrivate(receiver, bytes), `replay of ${i}`), "invalid");
  }
  t.diagnostic(`refusals by code: ${JSON.stringify(codes)}`);
  assert.ok((codes.invalid ?? 0) > 300, "many mutations decode but fail authentication");
});

test("a PrivateMessage signed by a non-member, or for another epoch or group, consumes no generation", async () => {
  const forged = await sealMessages(framing(), 1, stranger.signKey);
  const genuine = await sealMessages(framing(), 1);
  const receiver = framing();
  assert.equal(await refused(() => openPrivate(receiver, forged[0]!), "forged signature"), "invalid");
  const m = decodeAll(genuine[0]!, wire.decodeMlsMessage, "m") as { privateMessage: wire.PrivateMessage };
  const other = (gc: Partial<wire.GroupContext>) => ({
    ...receiver,
    groupContext: { ...groupContext, ...gc },
  });
  const open = (f: PrivateFraming) => () => unprotectPrivateMessage(f, m.privateMessage, signers);
  assert.equal(await refused(open(other({ epoch: 6n })), "next epoch"), "wrong-epoch");
  assert.equal(await refused(open(other({ groupId: Uint8Array.of(1) })), "other group"), "wrong-group");
  assert.equal(await refused(open(other({ treeHash: new Uint8Array(32) })), "other context"), "invalid");
  const noSigner = () => unprotectPrivateMessage(receiver, m.privateMessage, () => undefined);
  assert.equal(await refused(noSigner, "unknown sender"), "invalid");
  const opened = await openPrivate(receiver, genuine[0]!);
  assert.equal(opened.content.contentType, wire.ContentType.application);
  assert.equal(await refused(() => openPrivate(receiver, genuine[0]!), "replay"), "invalid");
});

test("each protect uses the next generation; protecting for another epoch is a usage error", async () => {
  const sender = framing();
  const [a, b] = await sealMessages(sender, 2);
  const c = content(0);
  const again = protectPrivateMessage(sender, c, {
    signature: await signPrivateContent(sender, keys.signKey, c),
  });
  const receiver = framing();
  await openPrivate(receiver, a!);
  await openPrivate(receiver, b!);
  const opened = await unprotectPrivateMessage(receiver, again, signers);
  assert.equal(opened.content.contentType, wire.ContentType.application);
  assert.deepEqual(receiver.secretTree.skippedGenerations(SENDER, "application"), []);
  const usage = (err: unknown) => err instanceof ParleyMlsError && err.code === "usage";
  const signature = new Uint8Array(64);
  assert.throws(() => protectPrivateMessage(sender, { ...c, epoch: 4n }, { signature }), usage);
  const external = { ...c, sender: { senderType: wire.SenderType.external, senderIndex: 0 } as const };
  assert.throws(() => protectPrivateMessage(sender, external, { signature }), usage);
  assert.throws(() => protectPrivateMessage(sender, c, { signature }, { paddingBlock: -1 }), usage);
});

test("padding rounds the plaintext up to the block and is removed on unprotect", async () => {
  const sender = framing();
  const receiver = framing();
  for (const block of [0, 1, 16, 100]) {
    const c = { ...content(0), applicationData: new Uint8Array(block + 3).fill(9) };
    const auth = { signature: await signPrivateContent(sender, keys.signKey, c) };
    const sealed = protectPrivateMessage(sender, c, auth, { paddingBlock: block });
    const plaintextSize = sealed.ciphertext.length - 16;
    const unpadded = encodeWith({ ...c, auth, padding: 0 }, wire.encodePrivateMessageContent).length;
    if (block > 1) assert.equal(plaintextSize % block, 0, `block ${block}`);
    assert.ok(plaintextSize - unpadded < Math.max(block, 1), `block ${block}: less than a block of padding`);
    const opened = await unprotectPrivateMessage(receiver, sealed, signers);
    assert.equal(
      opened.content.contentType === wire.ContentType.application && opened.content.applicationData.length,
      block + 3,
    );
  }
});

test("an external sender's PublicMessage is signed without a membership tag or group context", async () => {
  const external: wire.FramedContent = {
    ...content(1),
    sender: { senderType: wire.SenderType.external, senderIndex: 0 },
  };
  const noKey: PublicFraming = { suite, groupContext };
  const auth = { signature: await signPublicContent(noKey, stranger.signKey, external) };
  const framed = publicMessage(noKey, external, auth);
  assert.equal(framed.membershipTag, undefined);
  const opened = await unprotectPublicMessage(noKey, framed, stranger.publicKey);
  assert.deepEqual(opened.content.sender, external.sender);
  // The group context is not signed, but group and epoch still are checked.
  const later = { ...noKey, groupContext: { ...groupContext, epoch: 6n } };
  assert.equal(
    await refused(() => unprotectPublicMessage(later, framed, stranger.publicKey), "epoch"),
    "wrong-epoch",
  );
  const member = { ...content(1) };
  const memberAuth = { signature: await signPublicContent(noKey, keys.signKey, member) };
  assert.throws(() => publicMessage(noKey, member, memberAuth), ParleyMlsError, "a member needs the key");
});

test("mutated PublicMessages are refused; application data is never public", async (t) => {
  const random = testRandom(t);
  const c = content(1);
  const auth = { signature: await signPublicContent(pubFraming, keys.signKey, c) };
  const bytes = encodeWith(
    { version: 1, wireFormat: 1, publicMessage: publicMessage(pubFraming, c, auth) } as wire.MlsMessage,
    wire.encodeMlsMessage,
  );
  assert.equal((await openPublic(bytes)).content.contentType, wire.ContentType.proposal);
  for (let k = 0; k < 500; k++) await refused(() => openPublic(mutate(random, bytes)), `mutation ${k}`);
  const other = { ...pubFraming, membershipKey: new Uint8Array(32) };
  const m = decodeAll(bytes, wire.decodeMlsMessage, "m") as { publicMessage: wire.PublicMessage };
  const wrongKey = () => unprotectPublicMessage(other, m.publicMessage, keys.publicKey);
  assert.equal(await refused(wrongKey, "another membership key"), "invalid");
  const wrongSigner = () => unprotectPublicMessage(pubFraming, m.publicMessage, stranger.publicKey);
  assert.equal(await refused(wrongSigner, "another signer"), "invalid");
  const app = content(0);
  assert.equal(await refused(async () => signPublicContent(pubFraming, keys.signKey, app), "app"), "usage");
  const appMessage = { content: app, auth, membershipTag: new Uint8Array(32) };
  const openApp = () => unprotectPublicMessage(pubFraming, appMessage, keys.publicKey);
  assert.equal(await refused(openApp, "a received public application message"), "invalid");
});

test("a ratchet peek gives the key keyFor will, and consumes nothing", () => {
  const tree = new SecretTree(suite, encryptionSecret, LEAVES);
  const reference = new SecretTree(suite, encryptionSecret, LEAVES);
  const hexOf = (k: { key: Uint8Array; nonce: Uint8Array }) => toHex(k.key) + toHex(k.nonce);
  assert.equal(hexOf(tree.peek(1, "handshake", 3)), hexOf(reference.keyFor(1, "handshake", 3)));
  assert.deepEqual(tree.skippedGenerations(1, "handshake"), [], "peeking ahead skips nothing");
  tree.keyFor(1, "handshake", 5);
  assert.deepEqual(tree.skippedGenerations(1, "handshake"), [0, 1, 2, 3, 4]);
  const late = tree.peek(1, "handshake", 2);
  late.key.fill(0);
  assert.deepEqual(tree.skippedGenerations(1, "handshake"), [0, 1, 2, 3, 4], "a held key stays held");
  assert.equal(hexOf(tree.keyFor(1, "handshake", 2)), hexOf(reference.keyFor(1, "handshake", 2)));
  assert.throws(() => tree.peek(1, "handshake", 2), ParleyMlsError, "a used key cannot be peeked");
  assert.throws(() => tree.peek(1, "handshake", 6 + 1025), ParleyMlsError, "nor one too far ahead");
});
