import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startVoiceGateway, type VoiceGateway } from "../src/index.js";
import { agreed, logSink, TestMember, until } from "./helpers/member.js";

const A = "158049329150427136";
const B = "158533742254751744";
const C = "158533742254751999";

let gateway: VoiceGateway;
const sink = logSink();
const open: TestMember[] = [];

before(async () => {
  gateway = await startVoiceGateway({ logStream: sink, logLevel: "debug", transitionTimeoutMs: 10_000 });
});
after(async () => {
  await Promise.all(open.map((m) => m.close()));
  await gateway.close();
});

async function join(userId: string): Promise<TestMember> {
  const member = await TestMember.join(gateway.url, userId);
  open.push(member);
  return member;
}

test("two members create the group and reach the same epoch authenticator", async () => {
  const a = await join(A);
  const b = await join(B);
  const code = await agreed([a, b], 1n);
  assert.match(code, /^[0-9a-f]{64}$/);
  // Both get op 4 version 1, op 11 naming the other, and op 25 with the same external sender.
  assert.deepEqual(a.ops(4)[0], { kind: "json", op: 4, d: { dave_protocol_version: 1 } });
  assert.deepEqual((b.ops(11)[0] as { d: unknown }).d, { user_ids: [A] });
  assert.deepEqual((a.ops(11)[0] as { d: unknown }).d, { user_ids: [B] });
  // Exactly one commit won epoch 0; the transition executed once everyone was ready (no 10 s timeout).
  await until(() => a.executed.length === 1 && b.executed.length === 1, "op 22");
  assert.equal(a.executed[0], b.executed[0]);
  const state = gateway.inspect(a.channelId);
  assert.ok(state);
  assert.equal(state.established, true);
  assert.equal(state.epoch, 1n);
  assert.deepEqual(state.roster.map((l) => l.userId).sort(), [A, B].sort());
  assert.equal(state.commitsBroadcast, 1);
  assert.equal(a.failures.length + b.failures.length, 0, [...a.failures, ...b.failures].join("; "));
});

test("a third member is added by one commit; all three agree", async () => {
  const [a, b] = open as [TestMember, TestMember];
  const c = await join(C);
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

test("a member leaves: op 13, an external remove, a commit, and the rest agree on a new epoch", async () => {
  const [a, b, c] = open as [TestMember, TestMember, TestMember];
  const previous = a.authenticator;
  await c.close();
  open.pop();
  await agreed([a, b], 3n);
  assert.notEqual(a.authenticator, previous);
  assert.deepEqual((a.ops(13)[0] as { d: unknown }).d, { user_id: C });
  assert.ok(!a.recognized.has(C));
  const state = gateway.inspect(a.channelId);
  assert.deepEqual(state?.roster.map((l) => l.userId).sort(), [A, B].sort());
  assert.equal(state?.unrevokedProposals, 0);
});

test("the sole remaining member gets op 24 epoch 1 and op 21 transition 0; the group is reset", async () => {
  const [a, b] = open as [TestMember, TestMember];
  await b.close();
  open.pop();
  await until(() => a.ops(24).length === 1 && a.ops(21).length === 1, "sole-member reset");
  assert.deepEqual((a.ops(24)[0] as { d: unknown }).d, { epoch: 1, protocol_version: 1 });
  assert.deepEqual((a.ops(21)[0] as { d: unknown }).d, { transition_id: 0, protocol_version: 1 });
  await until(() => gateway.inspect(a.channelId)?.established === false, "the gateway to drop the group");
  assert.equal(gateway.inspect(a.channelId)?.epoch, 0n);

  // A newcomer and the sole member create a fresh group from their new key packages.
  const b2 = await join(B);
  open[1] = b2;
  await agreed([a, b2], 1n);
});

test("logs are JSON lines per connection event and opcode, without key material", () => {
  const messages = new Set(sink.lines.map((l) => l.msg));
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
  const text = sink.lines.map((l) => JSON.stringify(l)).join("\n");
  // No long hex or base64 runs: keys, key packages and secrets never reach the log.
  assert.doesNotMatch(text, /[0-9a-f]{40,}/i);
  assert.doesNotMatch(text, /[A-Za-z0-9+/]{60,}/);
});
