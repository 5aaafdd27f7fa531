import assert from "node:assert/strict";
import { test } from "node:test";
import { VoiceOpcode as Op, parseProtocolFrame } from "../../src/index.js";
import { assertAgreement, assertNoLoss, Call, mediaSummary, type Peer, until } from "./call.js";
import type { ClientMessage } from "./memoryConnection.js";

const [A, B, C] = ["158049329150427136", "158533742254751744", "158533742254751999"];

const withId = (id: number, body: Uint8Array) => new Uint8Array([id >> 8, id & 0xff, ...body]);

/** What the peer sent after its first `from` messages, as op numbers. */
const opsSince = (peer: Peer, from: number) => peer.connection.sentByClient.slice(from).map((m) => m.op);

/** Let injected opcodes arrive and be handled. */
async function handled(call: Call, peer: Peer, failures: number): Promise<void> {
  await until(() => peer.failures.length >= failures, `${failures} failure events`);
  await call.settled();
}

test("an unprocessable commit: op 31, reset and a new key package, then re-added; media never stops", async (t) => {
  const call = await Call.create(t);
  for (const id of [A, B, C]) await call.join(id);
  call.startMedia();
  await call.flow();
  const b = call.peer(B);
  const before = b.connection.sentByClient.length;
  const epoch = call.gateway.epoch;

  call.gateway
    .connection(B)
    .sendBinary(Op.mlsAnnounceCommitTransition, withId(0x1234, call.random.bytes(80)));
  await until(() => opsSince(b, before).includes(Op.mlsKeyPackage), "a new key package");
  assert.deepEqual(opsSince(b, before).slice(0, 2), [Op.mlsInvalidCommitWelcome, Op.mlsKeyPackage]);
  assert.deepEqual(b.connection.sentByClient[before], {
    kind: "json",
    op: Op.mlsInvalidCommitWelcome,
    d: { transition_id: 0x1234 },
  } satisfies ClientMessage);
  // The reset left the encryptor alone: B still sends encrypted frames under its last key.
  const frame = b.session.encrypt(new Uint8Array(40).fill(1));
  assert.ok(frame.ok && !frame.passthrough && parseProtocolFrame(frame.frame) !== undefined);

  await call.settled();
  assert.ok(call.gateway.epoch > epoch, "B was removed and added back");
  assertAgreement(call);
  await call.flow();
  await call.stopMedia();
  assertNoLoss(call);
  assert.deepEqual(
    b.failures.map((f) => f.source),
    ["processCommit"],
  );
  for (const id of [A, C]) assert.deepEqual(call.peer(id).failures, []);
  assert.deepEqual(call.gateway.errors, []);
  t.diagnostic(mediaSummary(call));
});

test("a pending member ignores a commit it cannot apply yet, and answers a garbage Welcome with op 31", async (t) => {
  const call = await Call.create(t);
  const a = await call.join(A);
  const [firstKeyPackage] = a.connection.sentByClient.filter((m) => m.op === Op.mlsKeyPackage);

  // Before the call's group exists, someone else's commit is not for this member: nothing to flag. Opcodes
  // are handled in order, so once the garbage Welcome sent next is answered, the commit was handled: all A
  // sent since is the Welcome's op 31 and key package, and its only failure is the Welcome's.
  const sent = a.connection.sentByClient.length;
  call.gateway.connection(A).sendBinary(Op.mlsAnnounceCommitTransition, withId(3, call.random.bytes(80)));
  call.gateway.connection(A).sendBinary(Op.mlsWelcome, withId(7, call.random.bytes(120)));
  await handled(call, a, 1);
  await until(() => opsSince(a, sent).length >= 2, "op 31 and a new key package");
  assert.deepEqual(opsSince(a, sent), [Op.mlsInvalidCommitWelcome, Op.mlsKeyPackage]);
  const [flag, keyPackage] = a.connection.sentByClient.slice(sent);
  assert.deepEqual(flag, { kind: "json", op: Op.mlsInvalidCommitWelcome, d: { transition_id: 7 } });
  assert.equal(keyPackage?.op, Op.mlsKeyPackage);
  assert.ok(keyPackage?.kind === "binary" && firstKeyPackage?.kind === "binary");
  assert.notDeepEqual(keyPackage.payload, firstKeyPackage.payload, "a fresh key package");
  assert.deepEqual(
    a.failures.map((f) => f.source),
    ["processWelcome"],
  );

  // The reset local group still seeds the call.
  call.startMedia();
  await call.join(B);
  assertAgreement(call);
  await call.flow();
  await call.stopMedia();
  assertNoLoss(call);
});

test("malformed opcodes become failure events, never exceptions, and the call goes on", async (t) => {
  const call = await Call.create(t);
  await call.join(A);
  await call.join(B);
  call.startMedia();
  const a = call.peer(A);
  const sent = a.connection.sentByClient.length;
  const epoch = a.session.epoch;
  const server = call.gateway.connection(A);

  const json: [number, unknown][] = [
    [Op.sessionDescription, []],
    [Op.sessionDescription, { dave_protocol_version: "1" }],
    [Op.clientsConnect, { user_ids: "x" }],
    [Op.clientsConnect, { user_ids: [12] }],
    [Op.clientDisconnect, {}],
    [Op.daveProtocolPrepareTransition, { transition_id: -1, protocol_version: 1 }],
    [Op.daveProtocolPrepareTransition, { transition_id: 5, protocol_version: 9 }],
    [Op.daveProtocolExecuteTransition, "x"],
    [Op.daveProtocolPrepareEpoch, null],
    [Op.daveProtocolPrepareEpoch, { epoch: 1.5, protocol_version: 1 }],
    [99, {}],
  ];
  for (const [op, d] of json) server.sendJson(op, d);
  const binary: [number, number[]][] = [
    [Op.mlsAnnounceCommitTransition, [1]],
    [Op.mlsWelcome, []],
    [Op.mlsExternalSenderPackage, [1, 2, 3]],
    [Op.mlsProposals, [5]],
    [Op.sessionDescription, []],
  ];
  for (const [op, payload] of binary) server.sendBinary(op, Uint8Array.from(payload));
  await handled(call, a, json.length + binary.length);

  assert.equal(a.failures.length, json.length + binary.length);
  for (const failure of a.failures) {
    assert.equal(typeof failure.source, "string");
    assert.ok(failure.reason.length > 0 && failure.reason.length < 200, failure.reason);
  }
  // Nothing was sent back, no state changed, and media keeps flowing both ways.
  assert.deepEqual(opsSince(a, sent), []);
  assert.equal(a.session.epoch, epoch);
  assert.deepEqual(a.session.recognizedUserIds.sort(), [A, B].sort());
  await call.flow();
  await call.stopMedia();
  assertAgreement(call);
  assertNoLoss(call);
  assert.deepEqual(call.peer(B).failures, []);
});
