import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeMlsMessage, type MLSMessage } from "ts-mls";
import { encodeCommit } from "ts-mls/commit.js";
import { getCiphersuiteNameFromId } from "ts-mls/crypto/ciphersuite.js";
import type { GroupContext } from "ts-mls/groupContext.js";
import { protectApplicationData, unprotectPrivateMessage } from "ts-mls/messageProtection.js";
import { unprotectPublicMessage } from "ts-mls/messageProtectionPublic.js";
import { defaultPaddingConfig } from "ts-mls/paddingConfig.js";
import { encodeProposal } from "ts-mls/proposal.js";
import { createSecretTree } from "ts-mls/secretTree.js";
import { family, hex, suiteImpl, toHex } from "./files.js";

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

const RETENTION = { retainKeysForGenerations: 10, retainKeysForEpochs: 4, maximumForwardRatchetSteps: 1000 };
/** The vectors' sender is leaf 1 of a two-leaf group. */
const SENDER = 1;

function message(hexBytes: string): MLSMessage {
  const decoded = decodeMlsMessage(hex(hexBytes), 0);
  assert.ok(decoded);
  return decoded[0];
}

const protection = family<MessageProtection>("message-protection", "message-protection.json", async (v) => {
  const cs = await suiteImpl(v.cipher_suite);
  const context: GroupContext = {
    version: "mls10",
    cipherSuite: getCiphersuiteNameFromId(v.cipher_suite as never),
    groupId: hex(v.group_id),
    epoch: BigInt(v.epoch),
    treeHash: hex(v.tree_hash),
    confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
    extensions: [],
  };
  const signer = hex(v.signature_pub);
  const secretTree = () => createSecretTree(2, hex(v.encryption_secret), cs.kdf);

  const openPublic = async (m: MLSMessage) => {
    assert.ok(m.wireformat === "mls_public_message");
    return (await unprotectPublicMessage(hex(v.membership_key), context, [], m.publicMessage, cs, signer))
      .content;
  };
  const openPrivate = async (m: MLSMessage) => {
    assert.ok(m.wireformat === "mls_private_message");
    const { content } = await unprotectPrivateMessage(
      hex(v.sender_data_secret),
      m.privateMessage,
      await secretTree(),
      [],
      context,
      RETENTION,
      cs,
      signer,
    );
    assert.deepEqual(content.content.sender, { senderType: "member", leafIndex: SENDER });
    return content.content;
  };

  for (const opened of [
    await openPublic(message(v.proposal_pub)),
    await openPrivate(message(v.proposal_priv)),
  ]) {
    assert.ok(opened.contentType === "proposal");
    assert.equal(toHex(encodeProposal(opened.proposal)), v.proposal, "proposal");
  }
  for (const opened of [await openPublic(message(v.commit_pub)), await openPrivate(message(v.commit_priv))]) {
    assert.ok(opened.contentType === "commit");
    assert.equal(toHex(encodeCommit(opened.commit)), v.commit, "commit");
  }
  const app = await openPrivate(message(v.application_priv));
  assert.ok(app.contentType === "application");
  assert.equal(toHex(app.applicationData), v.application, "application");

  // And the other direction: protect the application data ourselves, then open it.
  const { privateMessage } = await protectApplicationData(
    hex(v.signature_priv),
    hex(v.sender_data_secret),
    hex(v.application),
    new Uint8Array(),
    context,
    await secretTree(),
    SENDER,
    defaultPaddingConfig,
    cs,
  );
  const reopened = await openPrivate({ version: "mls10", wireformat: "mls_private_message", privateMessage });
  assert.ok(reopened.contentType === "application");
  assert.equal(toHex(reopened.applicationData), v.application, "protect then unprotect");
});

test(protection.title, protection.run);
