import assert from "node:assert/strict";
import { test } from "node:test";
import { assertAgreement, assertNoLoss, Call, mediaSummary } from "./call.js";

const [A, B, C] = ["158049329150427136", "158533742254751744", "158533742254751999"];

test("a protocol version 0 call is ready at once and passes frames through both ways", async (t) => {
  const call = await Call.create(t, 0);
  await call.join(A);
  await call.join(B);
  for (const peer of call.present()) {
    assert.equal(peer.session.protocolVersion, 0);
    assert.ok(peer.session.ready);
    assert.equal(peer.readyEvents, 1);
  }
  const frame = new Uint8Array(40).fill(9);
  assert.deepEqual(call.peer(A).session.encrypt(frame), { ok: true, frame, passthrough: true });
  call.startMedia();
  await call.flow();
  await call.stopMedia();
  assertNoLoss(call);
  assert.ok(call.media.required > 0 && call.media.decrypted === call.media.delivered, mediaSummary(call));
});

test("downgrade to version 0 and upgrade back: no frame lost, none in the clear while E2EE", async (t) => {
  const call = await Call.create(t);
  for (const id of [A, B, C]) await call.join(id);
  call.startMedia();
  await call.flow();

  await call.gateway.downgrade();
  await call.settled();
  for (const peer of call.present()) {
    assert.equal(peer.session.protocolVersion, 0);
    assert.equal(peer.session.epoch, 0n);
    assert.deepEqual(peer.roster, []);
    assert.ok(peer.session.ready);
    assert.ok(peer.session.encrypt(new Uint8Array(30)).ok);
  }
  const downgraded = call.media.required;
  await call.flow();
  assert.ok(call.media.required > downgraded, "frames flowed in the clear");

  await call.gateway.upgrade();
  await call.settled();
  for (const peer of call.present()) assert.equal(peer.session.protocolVersion, 1);
  assertAgreement(call);
  await call.flow();
  await call.stopMedia();
  assertNoLoss(call);
  for (const peer of call.present()) assert.deepEqual(peer.failures, [], `${peer.userId} failures`);
  assert.deepEqual(call.gateway.errors, []);
  t.diagnostic(mediaSummary(call));
});
