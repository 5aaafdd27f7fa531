import assert from "node:assert/strict";
import { test } from "node:test";
import { MediaType, ProposalsOperationType, SessionStatus } from "@snazzah/davey";
import { daveVectors } from "../vectors.js";
import { KINDS, type Kind, newSession, outcome } from "./parties.js";

interface Capture {
  channel_id: string;
  self_user_id: string;
  added_user_id: string;
  external_sender_hex: string;
  append_proposals_hex: string;
  revoke_proposals_hex: string;
}

const capture = daveVectors<Capture>("discord-capture.json");
const bytes = (hex: string) => Buffer.from(hex, "hex");

/** The capture's life cycle through one implementation, as comparable facts. */
function replay(kind: Kind): unknown[] {
  const session = newSession(kind, capture.self_user_id, capture.channel_id);
  const facts: unknown[] = [];
  const note = (what: string, value: unknown) =>
    facts.push({ what, value, status: session.status, epoch: session.epoch, users: session.getUserIds() });
  const append = bytes(capture.append_proposals_hex);
  session.getSerializedKeyPackage();
  session.setExternalSender(bytes(capture.external_sender_hex));
  note("op 25: a local group at epoch 0, self at leaf 0", session.ownLeafIndex);
  const refused = outcome(() => session.processProposals(ProposalsOperationType.APPEND, append, []));
  note("an empty recognized list refuses the add", !refused.ok && refused.message.split(":")[0]);
  const first = session.processProposals(ProposalsOperationType.APPEND, append, [capture.added_user_id]);
  note("append: a commit and a welcome", Object.keys(first).sort());
  const revoked = session.processProposals(
    ProposalsOperationType.REVOKE,
    bytes(capture.revoke_proposals_hex),
  );
  note("revoke: nothing left to commit", Object.keys(revoked));
  const again = session.processProposals(ProposalsOperationType.APPEND, append, [capture.added_user_id]);
  note("append again", Object.keys(again).sort());
  session.processCommit(again.commit as Buffer);
  note("own commit: epoch 1 with both users", [session.ready, session.voicePrivacyCode.length]);
  note("media flows", session.encrypt(MediaType.AUDIO, 1, Buffer.from("opus")).length > 4);
  return facts;
}

test("Discord capture through the facade: the same life cycle as davey's", () => {
  const [ours, theirs] = KINDS.map(replay);
  assert.deepEqual(ours, theirs);
  const last = (ours as { status: number; epoch: bigint; users: string[] }[]).at(-1);
  assert.equal(last?.status, SessionStatus.ACTIVE);
  assert.equal(last?.epoch, 1n);
  assert.deepEqual(last?.users, [capture.self_user_id, capture.added_user_id]);
});
