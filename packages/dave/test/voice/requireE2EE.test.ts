import assert from "node:assert/strict";
import { test } from "node:test";
import { DaveError, VoiceOpcode as Op, parseProtocolFrame, VoiceSession } from "../../src/index.js";
import { Call, until } from "./call.js";
import { MemoryConnection } from "./memoryConnection.js";

const [A, B, C] = ["158049329150427136", "158533742254751744", "158533742254751999"];
const plain = new Uint8Array(40).fill(7);

/** Whether `peer` acknowledged transition `id` with op 23. */
const acknowledged = (peer: { connection: MemoryConnection }, id: number | undefined) =>
  peer.connection.sentByClient.some(
    (m) =>
      m.kind === "json" &&
      m.op === Op.daveProtocolReadyForTransition &&
      (m.d as { transition_id: number }).transition_id === id,
  );

test("requireE2EE: a downgrade is refused, the session stays E2EE, clear frames are dropped and counted", async (t) => {
  const call = await Call.create(t);
  const a = await call.join(A, { requireE2EE: true });
  const b = await call.join(B);
  const c = await call.join(C);
  const epoch = a.session.epoch;
  const code = a.session.voicePrivacyCode;

  await call.gateway.downgrade();
  await until(() => a.downgradesRefused.length === 1, "the downgrade to be refused");
  const [refusal] = a.downgradesRefused;
  assert.equal(refusal?.opcode, Op.daveProtocolPrepareTransition);
  await until(
    () => acknowledged(b, refusal?.transitionId) && acknowledged(c, refusal?.transitionId),
    "op 23s",
  );
  assert.ok(!acknowledged(a, refusal?.transitionId), "no op 23 for a refused transition");

  assert.equal(a.session.protocolVersion, 1);
  assert.equal(a.session.epoch, epoch);
  assert.equal(a.session.voicePrivacyCode, code);
  assert.ok(a.session.ready);
  const out = a.session.encrypt(plain);
  assert.ok(out.ok && !out.passthrough && parseProtocolFrame(out.frame) !== undefined, "still encrypting");
  const fromB = b.session.encrypt(plain);
  assert.ok(fromB.ok && !fromB.passthrough);
  assert.ok(a.session.decrypt(B, fromB.frame).ok, "encrypted frames still decrypt");

  assert.deepEqual(a.session.decrypt(B, plain), { ok: false, reason: "not-encrypted" });
  assert.deepEqual(a.session.decrypt(C, plain), { ok: false, reason: "not-encrypted" });
  assert.equal(a.session.droppedPlaintextFrames, 2);
  // Without requireE2EE, op 21 to version 0 lets clear frames through at once.
  assert.ok(c.session.decrypt(B, plain).ok);
  assert.equal(c.session.droppedPlaintextFrames, 0);

  call.gateway.connection(A).sendJson(Op.daveProtocolPrepareEpoch, { epoch: 1, protocol_version: 0 });
  await until(() => a.downgradesRefused.length === 2, "prepare_epoch 0 to be refused");
  assert.deepEqual(a.downgradesRefused[1], { opcode: Op.daveProtocolPrepareEpoch });
  assert.equal(a.session.epoch, epoch);
  assert.ok(a.session.ready);
  assert.deepEqual(a.failures, []);
});

test("requireE2EE in a call at protocol version 0: refused at op 4, never ready, nothing sent or heard in clear", async (t) => {
  const call = await Call.create(t, 0);
  await call.join(B);
  const a = await call.join(A, { requireE2EE: true });
  assert.deepEqual(a.downgradesRefused, [{ opcode: Op.sessionDescription }]);
  assert.equal(a.session.ready, false);
  assert.equal(a.readyEvents, 0);
  assert.deepEqual(a.session.encrypt(plain), { ok: false, reason: "missing-key-ratchet" });
  assert.deepEqual(a.session.decrypt(B, plain), { ok: false, reason: "not-encrypted" });
  assert.equal(a.session.droppedPlaintextFrames, 1);
  assert.ok(call.peer(B).session.decrypt(A, plain).ok, "the other member is at version 0");
});

test("requireE2EE with maxProtocolVersion 0 is a usage error", () => {
  const transport = new MemoryConnection().client;
  assert.throws(
    () =>
      new VoiceSession({ transport, userId: A, channelId: "1", requireE2EE: true, maxProtocolVersion: 0 }),
    (err: unknown) => err instanceof DaveError && err.code === "usage",
  );
});
