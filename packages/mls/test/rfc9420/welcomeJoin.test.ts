import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeAll, encodeWith } from "../../src/rfc9420/codec/index.js";
import { cipherSuite } from "../../src/rfc9420/crypto/index.js";
import { secretsFromJoiner } from "../../src/rfc9420/schedule/index.js";
import { PublicRatchetTree } from "../../src/rfc9420/tree/ratchetTree.js";
import { treeHash } from "../../src/rfc9420/tree/treeHash.js";
import { createWelcome, joinGroup, signGroupInfo } from "../../src/rfc9420/welcome/index.js";
import {
  decodeMlsMessage,
  encodeGroupContext,
  encodeRatchetTree,
  type GroupContext,
  type KeyPackage,
  NodeType,
  ratchetTreeExtension,
  WireFormat,
} from "../../src/rfc9420/wire/index.js";
import { hex, mlsVectors } from "../vectors/files.js";

interface WelcomeVector {
  init_priv: string;
  key_package: string;
}

function keyPackageOf(bytes: string): KeyPackage {
  const m = decodeAll(hex(bytes), decodeMlsMessage, "MLSMessage");
  assert.equal(m.wireFormat, WireFormat.keyPackage);
  return m.keyPackage;
}

/** A committer alone in a group adds the vector's key package and welcomes it; the joiner joins. */
async function roundTrip(v: WelcomeVector, tamper: (c: GroupContext) => GroupContext = (c) => c) {
  const keyPackage = keyPackageOf(v.key_package);
  const suite = cipherSuite(keyPackage.cipherSuite);
  const signer = await suite.generateSignatureKeyPair();
  const committerLeaf = { ...keyPackage.leafNode, signatureKey: signer.publicKey };
  const alone = PublicRatchetTree.fromWire([{ nodeType: NodeType.leaf, leafNode: committerLeaf }]);
  const { tree, leafIndex } = alone.add(keyPackage.leafNode);
  const groupContext = tamper({
    version: 1,
    cipherSuite: suite.id,
    groupId: new Uint8Array([1, 2, 3]),
    epoch: 1n,
    treeHash: treeHash(suite, tree),
    confirmedTranscriptHash: suite.hash(new Uint8Array([9])),
    extensions: [],
  });
  const joinerSecret = suite.randomBytes(suite.Nh);
  const secrets = secretsFromJoiner(suite, joinerSecret, {
    groupContext: encodeWith(groupContext, encodeGroupContext),
  });
  const treeExt = {
    extensionType: ratchetTreeExtension.extensionType,
    extensionData: encodeWith(tree.toWire(), encodeRatchetTree),
  };
  const groupInfo = await signGroupInfo(suite, signer.signKey, {
    groupContext,
    extensions: [treeExt],
    confirmationTag: suite.mac(secrets.confirmationKey, groupContext.confirmedTranscriptHash),
    signer: 0,
  });
  const welcome = await createWelcome(suite, {
    groupInfo,
    joinerSecret,
    welcomeSecret: secrets.welcomeSecret,
    psks: [],
    members: [{ keyPackage }],
  });
  const joined = await joinGroup(welcome, { keyPackage, initPrivateKey: hex(v.init_priv) });
  return { joined, leafIndex, secrets };
}

test("a Welcome we create is joined: our leaf, the tree and the epoch secrets (every suite)", async () => {
  for (const v of mlsVectors<WelcomeVector[]>("welcome.json")) {
    const { joined, leafIndex, secrets } = await roundTrip(v);
    assert.equal(joined.leafIndex, leafIndex);
    assert.equal(joined.tree.leafCount, 2);
    assert.deepEqual(joined.epochSecrets.epochAuthenticator, secrets.epochAuthenticator);
  }
});

test("a GroupInfo whose tree hash differs from the tree is refused", async () => {
  for (const v of mlsVectors<WelcomeVector[]>("welcome.json")) {
    await assert.rejects(
      roundTrip(v, (c) => ({ ...c, treeHash: new Uint8Array(c.treeHash.length) })),
      /ratchet tree hash differs/,
    );
  }
});
