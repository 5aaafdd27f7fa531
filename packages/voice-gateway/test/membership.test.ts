import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { WAIT_TIMEOUT_MS } from "@parley/testkit";
import { agreed, TestGateway, type TestMember, until } from "./helpers/member.js";

const A = "158049329150427136";
const B = "158533742254751744";
const C = "158533742254751999";

/** A gateway logging at debug level, whose transitions wait for every op 23 however slow the machine. */
const start = (t: TestContext) =>
  TestGateway.start(t, { logLevel: "debug", transitionTimeoutMs: WAIT_TIMEOUT_MS });

test("two members create the group and reach the same epoch authenticator", async (t) => {
  const gateway = await start(t);
  const a = await gateway.join(A);
  const b = await gateway.join(B);
  const code = await agreed([a, b], 1n);
  assert.match(code, /^[0-9a-f]{64}$/);
  // Both get op 4 version 1, op 11 naming the other, and op 25 with the same external sender.
  assert.deepEqual(a.ops(4)[0], { kind: "json", op: 4, d: { dave_protocol_version: 1 } });
  assert.deepEqual((b.ops(11)[0] as { d: unknown }).d, { user_ids: [A] });
  assert.deepEqual((a.ops(11)[0] as { d: unknown }).d, { user_ids: [B] });
  // Exactly one commit won epoch 0; the transition executed once everyone was ready (not on the timeout).
  await until(() => a.executed.length === 1 && b.executed.length === 1, "op 22");
  assert.equal(a.executed[0], b.executed[0]);
  const state = gateway.inspect(a.channelId);
  assert.ok(state);
  assert.equal(state.established, true);
  assert.equal(state.epoch, 1n);
  assert.deepEqual(state.roster.map((l) => l.userId).sort(), [A, B].sort());
  assert.equal(state.commitsBroadcast, 1);
  assert.equal(a.failures.length + b.failures.length, 0, [...a.failures, ...b.failures].join("; "));
  const executed = gateway.logs.filter((l) => l.msg === "transition executed");
  assert.deepEqual(
    executed.map((l) => l.timedOut),
    [false],
    "executed on both op 23s",
  );
});

test("a third member is added by one commit; all three agree", async (t) => {
  const gateway = await start(t);
  const [a, b] = (await gateway.joinInTurn([A, B])) as [TestMember, TestMember];
  const c = await gateway.join(C);
  const code = await agreed([a, b, c], 2n);
  assert.notEqual(code, "");
  // The newcomer got a Welcome (op 30), the members got the commit (op 29) with the same transition id.
  assert.equal(c.ops(30).length, 1);
  assert.equal(c.ops(29).length, 0);
  const state = gateway.inspect(a.channelId);
  assert.equal(state?.epoch, 2n);
  assert.deepEqual(
    state?.roster.map((l) => l.leaf),
    [0, 1, 2],
  );
  await until(() => c.executed.length === 1, "the newcomer's op 22");
  assert.equal(c.failures.length, 0, c.failures.join("; "));
});

test("a member leaves: op 13, an external remove, a commit, and the rest agree on a new epoch", async (t) => {
  const gateway = await start(t);
  const [a, b, c] = (await gateway.joinInTurn([A, B, C])) as [TestMember, TestMember, TestMember];
  const previous = a.authenticator;
  await c.close();
  await agreed([a, b], 3n);
  assert.notEqual(a.authenticator, previous);
  assert.deepEqual((a.ops(13)[0] as { d: unknown }).d, { user_id: C });
  assert.ok(!a.recognized.has(C));
  const state = gateway.inspect(a.channelId);
  assert.deepEqual(state?.roster.map((l) => l.userId).sort(), [A, B].sort());
  assert.equal(state?.unrevokedProposals, 0);
});

test("the sole remaining member gets op 24 epoch 1 and op 21 transition 0; the group is reset", async (t) => {
  const gateway = await start(t);
  const [a, b] = (await gateway.joinInTurn([A, B])) as [TestMember, TestMember];
  await b.close();
  await until(() => a.ops(24).length === 1 && a.ops(21).length === 1, "sole-member reset");
  assert.deepEqual((a.ops(24)[0] as { d: unknown }).d, { epoch: 1, protocol_version: 1 });
  assert.deepEqual((a.ops(21)[0] as { d: unknown }).d, { transition_id: 0, protocol_version: 1 });
  await until(() => gateway.inspect(a.channelId)?.established === false, "the gateway to drop the group");
  assert.equal(gateway.inspect(a.channelId)?.epoch, 0n);

  // A newcomer and the sole member create a fresh group from their new key packages.
  const b2 = await gateway.join(B);
  await agreed([a, b2], 1n);
});

test("logs are JSON lines per connection event and opcode, without key material", async (t) => {
  const gateway = await start(t);
  const [a, b, c] = (await gateway.joinInTurn([A, B, C])) as [TestMember, TestMember, TestMember];
  await c.close();
  await agreed([a, b], 3n);
  await until(
    () => gateway.logs.some((l) => l.msg === "connection closed"),
    "the gateway to log C's connection closing",
  );
  const messages = new Set(gateway.logs.map((l) => l.msg));
  for (const m of [
    "connection opened",
    "identified",
    "op handled",
    "proposals sent",
    "commit broadcast",
    "connection closed",
  ]) {
    assert.ok(messages.has(m), `a "${m}" line`);
  }
  const text = gateway.logs.map((l) => JSON.stringify(l)).join("\n");
  // No long hex or base64 runs: keys, key packages and secrets never reach the log.
  assert.doesNotMatch(text, /[0-9a-f]{40,}/i);
  assert.doesNotMatch(text, /[A-Za-z0-9+/]{60,}/);
});
