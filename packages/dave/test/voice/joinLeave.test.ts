import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryKeyStore, parseProtocolFrame } from "../../src/index.js";
import { assertAgreement, assertNoLoss, Call, mediaSummary, sorted } from "./call.js";

const [A, B, C, D, E] = [
  "158049329150427136",
  "158533742254751744",
  "158533742254751999",
  "172150183260323840",
  "180000000000000001",
];

test("four members join one at a time: no frame between members lost across any transition", async (t) => {
  const call = await Call.create(t);
  const a = await call.join(A);
  // Alone, the first member has a local group but no call group: nothing to send with, and never plaintext.
  assert.equal(a.session.protocolVersion, 1);
  assert.equal(a.session.ready, false);
  assert.deepEqual(a.session.encrypt(new Uint8Array(40)), { ok: false, reason: "missing-key-ratchet" });
  call.startMedia();

  const required: number[] = [];
  for (const id of [B, C, D]) {
    await call.join(id);
    assertAgreement(call);
    await call.flow();
    required.push(call.media.required);
  }
  assert.equal(call.gateway.epoch, 3n);
  await call.stopMedia();

  assertNoLoss(call);
  // Frames flowed in every phase; each joiner decrypts every frame sent after the sender's execute.
  assert.ok(
    required.every((n, i) => n > (required[i - 1] ?? 0)),
    `required deliveries by phase: ${required}`,
  );
  for (const peer of call.present()) {
    assert.equal(peer.readyEvents, 1, `${peer.userId} became ready once`);
    assert.deepEqual(peer.failures, [], `${peer.userId} failures`);
  }
  assert.deepEqual(call.gateway.errors, []);

  const [ab, ba] = await Promise.all([
    a.session.getVerificationCode(B),
    call.peer(B).session.getVerificationCode(A),
  ]);
  assert.match(ab, /^\d{45}$/);
  assert.equal(ab, ba);
  await assert.rejects(a.session.getVerificationCode("1"), { name: "DaveError" });
  t.diagnostic(mediaSummary(call));
});

test("members leave down to one (sole-member reset keeps its key), then others join; stable codes", async (t) => {
  const call = await Call.create(t);
  const keyStore = new MemoryKeyStore();
  const device = { authSessionId: "b-device", keyStore };
  // A persists its key too: its own session re-initialises on the sole-member reset below.
  await call.join(A, { authSessionId: "a-device", keyStore });
  await call.join(C);
  await call.join(B, device);
  call.startMedia();
  await call.join(D);
  const a = call.peer(A);
  const codeWithB = await a.session.getVerificationCode(B);

  await call.flow();
  await call.leave(B);
  assertAgreement(call);
  await call.leave(D);
  assertAgreement(call);
  assert.deepEqual(sorted(call.gateway.members), sorted([A, C]));

  await call.leave(C);
  // Sole-member reset: a fresh local group (epoch 0, no roster) but the sending ratchet stays: still E2EE.
  assert.equal(a.executed.at(-1), 0);
  assert.equal(a.session.epoch, 0n);
  assert.deepEqual(a.roster, []);
  assert.equal(a.session.voicePrivacyCode, "");
  assert.ok(a.session.ready);
  const alone = a.session.encrypt(new Uint8Array(40).fill(7));
  assert.ok(alone.ok && !alone.passthrough && parseProtocolFrame(alone.frame) !== undefined);

  await call.join(E);
  assertAgreement(call);
  assert.equal(call.gateway.epoch, 1n);
  await call.flow();
  // B comes back with its persisted signature key: the pair's verification code is unchanged.
  await call.join(B, device);
  assertAgreement(call);
  await call.flow();
  await call.stopMedia();
  assertNoLoss(call);
  assert.equal(await a.session.getVerificationCode(B), codeWithB);
  for (const peer of call.present()) assert.deepEqual(peer.failures, [], `${peer.userId} failures`);
  assert.deepEqual(call.gateway.errors, []);
  t.diagnostic(mediaSummary(call));
});
