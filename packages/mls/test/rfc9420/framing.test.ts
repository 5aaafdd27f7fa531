import assert from "node:assert/strict";
import { test } from "node:test";
import { testRandom } from "@parley/testkit";
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
import { family, hex, mlsVectors, toHex } from "../vectors/files.js";

interface MessageProtection {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  tree_hash: string;
  confirmed_transcript_hash: string;
  signature_priv: string;
  signature_pub: string;
  encryption_secret: string;
  sender_data_secret: string;
  membership_key: string;
  proposal: string;
  proposal_priv: string;
  proposal_pub: string;
  commit: string;
  commit_priv: string;
  commit_pub: string;
  application: string;
  application_priv: string;
}

/** The vectors' sender is leaf 1 of a two-leaf group. */
const SENDER = 1;

function mlsMessage(bytes: Uint8Array): wire.MlsMessage {
  return decodeAll(bytes, wire.decodeMlsMessage, "MLSMessage");
}

/** The body of a content as the vectors hold it: the encoded proposal or commit, or the application data. */
function bodyHex(c: wire.Content): string {
  if (c.contentType === wire.ContentType.proposal) return toHex(encodeWith(c.proposal, wire.encodeProposal));
  if (c.contentType === wire.ContentType.commit) return toHex(encodeWith(c.commit, wire.encodeCommit));
  return toHex(c.applicationData);
}

function framings(v: MessageProtection) {
  const suite = cipherSuite(v.cipher_suite);
  const groupContext: wire.GroupContext = {
    version: 1,
    cipherSuite: v.cipher_suite,
    groupId: hex(v.group_id),
    epoch: BigInt(v.epoch),
    treeHash: hex(v.tree_hash),
    confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
    extensions: [],
  };
  const pub: PublicFraming = { suite, groupContext, membershipKey: hex(v.membership_key) };
  const priv = (): PrivateFraming => ({
    suite,
    groupContext,
    senderDataSecret: hex(v.sender_data_secret),
    secretTree: new SecretTree(suite, hex(v.encryption_secret), 2),
  });
  return { pub, priv };
}

const vectors = family<MessageProtection>(
  "message-protection (framing)",
  "message-protection.json",
  async (v) => {
    const { pub, priv } = framings(v);
    const signer = hex(v.signature_pub);
    const signKey = hex(v.signature_priv);
    const signers = (leaf: number) => (leaf === SENDER ? signer : undefined);
    const openPublic = async (bytes: Uint8Array) => {
      const m = mlsMessage(bytes);
      assert.equal(m.wireFormat, wire.WireFormat.publicMessage);
      return unprotectPublicMessage(pub, (m as { publicMessage: wire.PublicMessage }).publicMessage, signer);
    };
    const openPrivate = async (bytes: Uint8Array) => {
      const m = mlsMessage(bytes);
      assert.equal(m.wireFormat, wire.WireFormat.privateMessage);
      const opened = await unprotectPrivateMessage(
        priv(),
        (m as { privateMessage: wire.PrivateMessage }).privateMessage,
        signers,
      );
      assert.deepEqual(opened.content.sender, { senderType: wire.SenderType.member, leafIndex: SENDER });
      return opened;
    };
    const cases = [
      ["proposal", v.proposal, v.proposal_pub, v.proposal_priv],
      ["commit", v.commit, v.commit_pub, v.commit_priv],
      ["application", v.application, undefined, v.application_priv],
    ] as const;
    for (const [name, body, pubHex, privHex] of cases) {
      const fromPrivate = await openPrivate(hex(privHex));
      assert.equal(bodyHex(fromPrivate.content), body, `${name}_priv carries the ${name}`);
      const genuine = pubHex ? await openPublic(hex(pubHex)) : fromPrivate;
      if (pubHex) assert.equal(bodyHex(genuine.content), body, `${name}_pub carries the ${name}`);

      // Protect the same content ourselves, as both wire formats where allowed, and open it again.
      const content = genuine.content;
      const privateAuth = {
        ...fromPrivate.auth,
        signature: await signPrivateContent(priv(), signKey, content),
      };
      const sender = priv();
      const receiver = { ...sender, secretTree: new SecretTree(sender.suite, hex(v.encryption_secret), 2) };
      const sealed = protectPrivateMessage(sender, content, privateAuth, { paddingBlock: 32 });
      const bytes = encodeWith(
        { version: 1, wireFormat: wire.WireFormat.privateMessage, privateMessage: sealed },
        wire.encodeMlsMessage,
      );
      const m = mlsMessage(bytes) as { privateMessage: wire.PrivateMessage };
      const reopened = await unprotectPrivateMessage(receiver, m.privateMessage, signers);
      assert.equal(bodyHex(reopened.content), body, `our ${name} PrivateMessage opens`);
      assert.equal(toHex(reopened.auth.signature), toHex(privateAuth.signature));
      if (!pubHex) continue;
      const publicAuth = { ...genuine.auth, signature: await signPublicContent(pub, signKey, content) };
      const framed = publicMessage(pub, content, publicAuth);
      const encoded = encodeWith(
        { version: 1, wireFormat: wire.WireFormat.publicMessage, publicMessage: framed },
        wire.encodeMlsMessage,
      );
      assert.equal(bodyHex((await openPublic(encoded)).content), body, `our ${name} PublicMessage opens`);
    }
  },
);

test(vectors.title, vectors.run);

test("mutated vector PrivateMessages (every suite and content type) are refused; the genuine opens once", async (t) => {
  const random = testRandom(t);
  let refusals = 0;
  for (const v of mlsVectors<MessageProtection[]>("message-protection.json")) {
    const signers = (leaf: number) => (leaf === SENDER ? hex(v.signature_pub) : undefined);
    for (const field of ["proposal_priv", "commit_priv", "application_priv"] as const) {
      const receiver = framings(v).priv();
      const genuine = hex(v[field]);
      const open = async (bytes: Uint8Array) => {
        const m = mlsMessage(bytes) as { privateMessage?: wire.PrivateMessage };
        if (!m.privateMessage) throw new ParleyMlsError("invalid", "not a PrivateMessage");
        return unprotectPrivateMessage(receiver, m.privateMessage, signers);
      };
      for (let k = 0; k < 30; k++) {
        const bytes = genuine.slice();
        const at = random.int(bytes.length);
        bytes[at]! ^= 1 << random.int(8);
        await assert.rejects(open(bytes), ParleyMlsError, `suite ${v.cipher_suite} ${field}: flip at ${at}`);
        refusals++;
      }
      await open(genuine);
      await assert.rejects(open(genuine), ParleyMlsError, `suite ${v.cipher_suite} ${field}: replay`);
    }
  }
  assert.equal(refusals, 7 * 3 * 30);
});
