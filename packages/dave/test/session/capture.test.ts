import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/index.js";
import { daveVectors } from "../vectors.js";

interface Capture {
  channel_id: string;
  self_user_id: string;
  added_user_id: string;
  external_sender_hex: string;
  append_proposals_hex: string;
  revoke_proposals_hex: string;
}

const capture = daveVectors<Capture>("discord-capture.json");
const hex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const op27 = (operation: number, body: string) => Uint8Array.of(operation, ...hex(body));

async function capturedSession(failures: string[] = []): Promise<Session> {
  const session = new Session({ onMlsFailure: (source, reason) => failures.push(`${source}: ${reason}`) });
  await session.init(1, capture.channel_id, capture.self_user_id);
  assert.equal(session.getMarshalledKeyPackage().length, 0, "no key package before the external sender");
  await session.setExternalSender(hex(capture.external_sender_hex));
  return session;
}

test("Discord capture: external sender, append → commit + welcome, own commit → epoch 1", async () => {
  const failures: string[] = [];
  const session = await capturedSession(failures);
  assert.ok(session.getMarshalledKeyPackage().length > 0, "key package after the external sender");
  assert.equal(session.lastEpochAuthenticator.length, 0);
  assert.equal(await session.getKeyRatchet(capture.self_user_id), null, "no ratchet before a group");

  const produced = await session.processProposals(op27(0, capture.append_proposals_hex), [
    capture.added_user_id,
  ]);
  assert.deepEqual(failures, []);
  assert.ok(produced?.welcome, "a commit and a welcome");

  const result = await session.processCommit(produced.commit);
  assert.ok(result.kind === "roster", result.kind === "roster" ? "" : result.reason);
  assert.equal(result.epoch, 1n);
  assert.deepEqual([...result.roster.keys()].sort(), [capture.added_user_id, capture.self_user_id].sort());
  assert.deepEqual(session.userIds().sort(), [capture.added_user_id, capture.self_user_id].sort());
  assert.equal(session.lastEpochAuthenticator.length, 32);
  assert.equal((await session.getKeyRatchet(capture.added_user_id))?.getKey(0)?.length, 16);
});

test("Discord capture: revoke removes the cached proposal, leaving nothing to commit", async () => {
  const session = await capturedSession();
  const appended = await session.processProposals(op27(0, capture.append_proposals_hex), [
    capture.added_user_id,
  ]);
  assert.ok(appended);
  assert.equal(
    await session.processProposals(op27(1, capture.revoke_proposals_hex), [capture.added_user_id]),
    null,
  );
  // The commit made before the revoke is no longer ours to adopt.
  assert.equal((await session.processCommit(appended.commit)).kind, "ignored");
});

test("Discord capture: an empty recognized list rejects the add", async () => {
  const failures: string[] = [];
  const session = await capturedSession(failures);
  assert.equal(await session.processProposals(op27(0, capture.append_proposals_hex), []), null);
  assert.equal(failures.length, 1);
  assert.match(failures[0] as string, /unrecognized user 158533742254751744/);
});
