import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { createKeyPackage, generateSignatureKeyPair, loadSuite } from "@parley/mls";
import { WAIT_TIMEOUT_MS } from "@parley/testkit";
import WebSocket from "ws";
import { VoiceGatewayClient, VoiceGatewayError } from "../src/index.js";
import { agreed, CHANNEL, TestGateway, type TestMember, until } from "./helpers/member.js";

const A = "400000000000000001";
const B = "400000000000000002";
const C = "400000000000000003";
const RAW = "400000000000000009";

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** A bare WebSocket to the gateway; resolves with the close code when the gateway closes it. */
function rawSocket(gateway: TestGateway): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(gateway.url);
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  gateway.onClose(() => ws.close());
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, closed }));
    ws.once("error", reject);
  });
}

/** Lines logged since `from` that say how the gateway took a client's input: refused, or handled. */
function outcomesSince(gateway: TestGateway, from: number): Array<Record<string, unknown>> {
  return gateway.logs.slice(from).filter((l) => l.msg === "input refused" || l.msg === "op handled");
}

/** Refusals logged since `from`, by error code. */
function refusalsSince(gateway: TestGateway, from: number): string[] {
  return outcomesSince(gateway, from).flatMap((l) => (l.msg === "input refused" ? [String(l.code)] : []));
}

/** A and B in a call at epoch 1, its first transition executed; identify has all the time it needs. */
async function twoMembers(t: TestContext) {
  const gateway = await TestGateway.start(t, { identifyTimeoutMs: WAIT_TIMEOUT_MS });
  const [a, b] = (await gateway.joinInTurn([A, B])) as [TestMember, TestMember];
  await until(() => a.executed.length === 1 && b.executed.length === 1, "the first transition");
  return { gateway, a, b };
}

test("before identify: anything else closes the connection with a typed close code", async (t) => {
  // The identify timeout must not overtake the bad first messages, however slow the machine.
  const gateway = await TestGateway.start(t, { identifyTimeoutMs: WAIT_TIMEOUT_MS });
  const binaryFirst = await rawSocket(gateway);
  binaryFirst.ws.send(Uint8Array.of(26, 1, 2, 3));
  assert.equal(await binaryFirst.closed, 4003);

  const garbage = await rawSocket(gateway);
  garbage.ws.send("{definitely not json");
  assert.equal(await garbage.closed, 4002);

  const badId = await rawSocket(gateway);
  badId.ws.send(JSON.stringify({ op: 0, d: { user_id: "-1", max_dave_protocol_version: 1 } }));
  assert.equal(await badId.closed, 4004);

  const tooBig = await rawSocket(gateway);
  tooBig.ws.send(
    JSON.stringify({ op: 0, d: { user_id: "18446744073709551616", max_dave_protocol_version: 1 } }),
  );
  assert.equal(await tooBig.closed, 4004);

  // A client that never identifies, on a gateway that waits 500 ms for it.
  const impatient = await TestGateway.start(t, { identifyTimeoutMs: 500 });
  const silent = await rawSocket(impatient);
  assert.equal(await silent.closed, 4009, "identify timeout");
});

test("malformed frames, unknown ops and garbage MLS from members change nothing; the call goes on", async (t) => {
  const { gateway, a, b } = await twoMembers(t);
  const before = gateway.inspect(CHANNEL);
  const logFrom = gateway.logs.length;
  const opsBefore = { a: a.received.length, b: b.received.length };

  // A second connection for the same user is refused; the first is untouched.
  const duplicate = VoiceGatewayClient.connect(gateway.url, A, {
    channelId: CHANNEL,
    timeoutMs: WAIT_TIMEOUT_MS,
  });
  await assert.rejects(duplicate, (err: unknown) => {
    return (
      err instanceof VoiceGatewayError &&
      err.code === "closed" &&
      err.closeCode === 4004 &&
      err.closeReason === "already in the call"
    );
  });

  // An identified raw client (its op 4 says so) sends frames that do not decode.
  const raw = await rawSocket(gateway);
  const identified = new Promise((resolve) => raw.ws.once("message", resolve));
  raw.ws.send(JSON.stringify({ op: 0, d: { user_id: RAW, max_dave_protocol_version: 0, channel_id: "5" } }));
  await identified;
  for (const frame of [
    "{not json",
    "[1,2,3]",
    JSON.stringify({ op: "23" }),
    JSON.stringify({ op: 99, d: {} }),
    JSON.stringify({ op: 0, d: { user_id: RAW } }),
    JSON.stringify({ op: 23, d: { transition_id: "x" } }),
    JSON.stringify({ op: 31, d: null }),
  ]) {
    raw.ws.send(frame);
  }
  raw.ws.send(new Uint8Array(0)); // no opcode at all
  raw.ws.send(Uint8Array.of(200, 0, 0)); // media frame cut short
  raw.ws.send(Uint8Array.of(99, 1, 2)); // unknown binary op

  // A member sends garbage in every MLS slot.
  const suite2 = await loadSuite(2);
  const keys = await generateSignatureKeyPair(suite2);
  const forever = { notBefore: 0n, notAfter: (1n << 64n) - 1n };
  const caps = { ciphersuites: [2], credentials: ["basic" as const] };
  const idA = Buffer.from(BigInt(A).toString(16).padStart(16, "0"), "hex");
  const idB = Buffer.from(BigInt(B).toString(16).padStart(16, "0"), "hex");
  const kp = async (identity: Uint8Array, options: object = {}) =>
    (
      await createKeyPackage(suite2, {
        identity,
        signatureKeyPair: keys,
        lifetime: forever,
        capabilities: caps,
        ...options,
      })
    ).keyPackage;
  const otherUser = await kp(idB);
  const shortLifetime = await kp(idA, { lifetime: { notBefore: 0n, notAfter: 10n ** 12n } });
  const suite1 = await loadSuite(1);
  const wrongSuite = (
    await createKeyPackage(suite1, {
      identity: idA,
      signatureKeyPair: await generateSignatureKeyPair(suite1),
      lifetime: forever,
      capabilities: { ciphersuites: [1], credentials: ["basic"] },
    })
  ).keyPackage;
  const badSignature = await kp(idA);
  badSignature[badSignature.length - 5] = (badSignature[badSignature.length - 5] as number) ^ 0x01;
  for (const payload of [Uint8Array.of(1, 2, 3), otherUser, shortLifetime, wrongSuite, badSignature]) {
    a.client.sendBinary(26, payload);
  }
  const oldCommit = (b.ops(29)[0] ?? a.ops(29)[0]) as { payload: Uint8Array };
  for (const payload of [
    new Uint8Array(0),
    Uint8Array.of(0, 1, 0, 1, 9, 9, 9),
    new Uint8Array(300).fill(0xab),
    oldCommit.payload.subarray(2), // a real commit of a past epoch
  ]) {
    a.client.sendBinary(28, payload);
  }
  a.client.sendBinary(27, Uint8Array.of(0, 3, 1, 2, 3)); // proposals only come from the gateway
  a.client.sendBinary(29, Uint8Array.of(0, 1, 2)); // server→client ops are not accepted from clients
  a.client.sendBinary(30, Uint8Array.of(0, 1, 2));
  // 1 duplicate identify + 10 raw frames + 5 key packages + 4 commits + 3 server-side ops: once the gateway
  // has logged how it took each of them, there is nothing left that could still change the call.
  const INPUTS = 23;
  await until(
    () => outcomesSince(gateway, logFrom).length >= INPUTS,
    `the gateway to take all ${INPUTS} bad inputs`,
    () => refusalsSince(gateway, logFrom).join(" "),
  );
  assert.deepEqual(
    outcomesSince(gateway, logFrom).map((l) => l.msg),
    Array(INPUTS).fill("input refused"),
    "every bad input refused, none handled",
  );

  const codes = new Set(refusalsSince(gateway, logFrom));
  for (const code of [
    "malformed",
    "truncated",
    "unknown-op",
    "invalid-identify",
    "invalid-key-package",
    "invalid-commit",
  ]) {
    assert.ok(codes.has(code), `a refusal with code ${code} (got ${[...codes].join(", ")})`);
  }
  const keyPackageReasons = gateway.logs
    .slice(logFrom)
    .filter((l) => l.code === "invalid-key-package")
    .map((l) => String(l.reason));
  for (const why of [
    "does not decode",
    "identity",
    "lifetime",
    "ciphersuite 1",
    "signature does not verify",
  ]) {
    assert.ok(
      keyPackageReasons.some((r) => r.includes(why)),
      `a key package refused for "${why}" (${keyPackageReasons.join(" | ")})`,
    );
  }
  const afterState = gateway.inspect(CHANNEL);
  assert.deepEqual(afterState, { ...before, commitsRejected: afterState?.commitsRejected });
  assert.ok(a.client.open && b.client.open, "the members stay connected");
  assert.equal(raw.ws.readyState, WebSocket.OPEN, "an identified client is not cut off for bad frames");
  assert.deepEqual(
    b.received.slice(opsBefore.b).map((m) => m.op),
    [],
    "B got no proposals or commits from the garbage",
  );
  assert.deepEqual(
    a.received.slice(opsBefore.a).map((m) => m.op),
    [],
  );
});

test("a real commit with a bad or missing Welcome is not broadcast; the good one then is", async (t) => {
  const { gateway, a: memberA, b: memberB } = await twoMembers(t);
  const before = gateway.inspect(CHANNEL);
  assert.ok(before);
  memberA.autoCommit = false;
  memberB.autoCommit = false;
  const c = await gateway.join(C);
  await until(() => memberA.heldParts.length === 1, "A's commit adding C");
  const { commit, welcome } = memberA.heldParts[0] as { commit: Uint8Array; welcome?: Uint8Array };
  assert.ok(welcome);
  const logFrom = gateway.logs.length;
  for (const payload of [
    commit, // adds C without a Welcome
    concat(commit, Uint8Array.of(0, 2, 1, 2)), // a Welcome that does not decode
    concat(commit, welcome, Uint8Array.of(0)), // trailing garbage after the Welcome
    concat(commit.subarray(0, commit.length - 3)), // commit cut short
  ]) {
    memberA.sendCommit(payload);
  }
  // Each of the four is taken before the next (one connection): once the last is, all four were refused.
  await until(() => outcomesSince(gateway, logFrom).length >= 4, "the gateway to take the four commits");
  assert.deepEqual(refusalsSince(gateway, logFrom).sort(), [
    "invalid-welcome",
    "invalid-welcome",
    "invalid-welcome",
    "truncated",
  ]);
  assert.equal(c.ops(30).length, 0, "no Welcome routed");
  assert.equal(gateway.inspect(CHANNEL)?.epoch, before.epoch);

  memberA.sendCommit(concat(commit, welcome));
  await agreed([memberA, memberB, c], before.epoch + 1n);
});
