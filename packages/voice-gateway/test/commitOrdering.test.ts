import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import type { GatewayBinaryMessage } from "@parley/dave";
import { readVarint, writeVarint } from "@parley/mls";
import { agreed, TestGateway, type TestMember, until } from "./helpers/member.js";

const A = "300000000000000001";
const B = "300000000000000002";
const C = "300000000000000003";
const D = "300000000000000004";
const E = "300000000000000005";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const binary = (m: TestMember, op: number) => m.ops(op) as GatewayBinaryMessage[];
const rejected = (gateway: TestGateway, channelId: string) =>
  gateway.inspect(channelId)?.commitsRejected ?? 0;

/** RFC 9420 RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent), computed independently of the gateway. */
function proposalRef(message: Uint8Array): string {
  const label = Buffer.from("MLS 1.0 Proposal Reference");
  const content = message.subarray(2);
  return createHash("sha256")
    .update(Buffer.concat([writeVarint(label.length), label, writeVarint(content.length), content]))
    .digest("hex");
}

test("two commits for the same epoch: only the first is broadcast, the second is dropped", async (t) => {
  const gateway = await TestGateway.start(t);
  const [a, b] = (await gateway.joinInTurn([A, B])) as [TestMember, TestMember];
  a.autoCommit = false;
  b.autoCommit = false;
  const rejectedBefore = rejected(gateway, a.channelId);
  const announcedBefore = [binary(a, 29).length, binary(b, 29).length];

  const c = await gateway.join(C);
  await until(
    () => a.heldCommits.length === 1 && b.heldCommits.length === 1,
    "both members to commit the add",
  );
  const [fromA] = a.heldCommits as [Uint8Array];
  const [fromB] = b.heldCommits as [Uint8Array];
  assert.notEqual(hex(fromA), hex(fromB));
  b.sendCommit(fromB);
  a.sendCommit(fromA);
  await agreed([a, b, c], 2n);
  // A's commit is judged too (refused) before the books are checked.
  await until(() => rejected(gateway, a.channelId) === rejectedBefore + 1, "A's late commit to be refused");

  // Everyone saw B's commit once; A adopted B's commit, not its own.
  for (const [i, m] of [a, b].entries()) {
    const announced = binary(m, 29).slice(-1)[0] as GatewayBinaryMessage;
    assert.equal(binary(m, 29).length, (announcedBefore[i] as number) + 1, "one op 29 for the epoch");
    assert.ok(hex(fromB).startsWith(hex(announced.payload.subarray(2))), "op 29 carries B's commit");
  }
  // C's Welcome is B's.
  assert.ok(hex(fromB).endsWith(hex(binary(c, 30)[0]?.payload.subarray(2) ?? new Uint8Array())));
  const state = gateway.inspect(a.channelId);
  assert.equal(state?.epoch, 2n);
  assert.equal(state?.commitsRejected, rejectedBefore + 1);
  assert.ok(
    gateway.logs.some((l) => l.code === "invalid-commit" && String(l.reason).includes("epoch 1")),
    "the late commit is logged as refused",
  );
});

test("a pending member leaves before being committed: its add is revoked and commits using it are refused", async (t) => {
  const gateway = await TestGateway.start(t);
  const [a, b, c] = (await gateway.joinInTurn([A, B, C])) as [TestMember, TestMember, TestMember];
  for (const m of [a, b, c]) m.autoCommit = false;
  const proposalsBefore = binary(a, 27).length;
  const proposalsSeen = new Map([b, c].map((m) => [m, binary(m, 27).length]));
  const d = await gateway.join(D);
  await until(() => [a, b, c].every((m) => m.heldCommits.length === 1), "commits adding D");
  const append = binary(a, 27)[proposalsBefore] as GatewayBinaryMessage;
  assert.equal(append.payload[0], 0, "op 27 append");
  const { next } = readVarint(append.payload, 1, "proposals vector");
  const addRef = proposalRef(append.payload.subarray(next)); // one proposal in the vector

  await d.close();
  await until(() => binary(a, 27).length === proposalsBefore + 2, "op 27 revoke");
  const revoke = binary(a, 27)[proposalsBefore + 1] as GatewayBinaryMessage;
  assert.equal(revoke.payload[0], 1, "op 27 revoke");
  assert.equal(hex(revoke.payload.subarray(3)), addRef, "revokes exactly the add's ProposalRef");
  for (const [m, seen] of proposalsSeen) {
    await until(() => binary(m, 27).length === seen + 2, `the add and the revoke to ${m.userId}`);
  }

  // A commit made before the revoke references the revoked proposal: it must not be broadcast.
  const rejectedBefore = rejected(gateway, a.channelId);
  const announcedB = binary(b, 29).length;
  a.sendCommit(a.heldCommits.at(-1) as Uint8Array);
  await until(() => rejected(gateway, a.channelId) === rejectedBefore + 1, "the stale commit refused");
  assert.equal(binary(b, 29).length, announcedB, "no op 29 for the refused commit");
  assert.equal(gateway.inspect(a.channelId)?.epoch, 2n);
  assert.equal(gateway.inspect(a.channelId)?.unrevokedProposals, 0);

  // The call goes on: the next newcomer is added at epoch 2 without the revoked proposal.
  for (const m of [a, b, c]) m.autoCommit = true;
  const e = await gateway.join(E);
  await agreed([a, b, c, e], 3n);
  assert.deepEqual(
    gateway.inspect(a.channelId)?.roster.map((l) => l.userId),
    [A, B, C, E],
  );
});

test("during group creation, a pending member that leaves has its in-flight add revoked", async (t) => {
  const gateway = await TestGateway.start(t);
  const channelId = "300000000000000099";
  const p = await gateway.join("300000000000000011", { channelId, autoCommit: false });
  const q = await gateway.join("300000000000000012", { channelId, autoCommit: false });
  // Each pending member was sent the other's add (the newcomer got P's in-flight add at once).
  await until(
    () => p.heldCommits.length === 1 && q.heldCommits.length === 1,
    "both pending members to commit",
  );
  const addQ = binary(p, 27)[0] as GatewayBinaryMessage;
  const { next } = readVarint(addQ.payload, 1, "proposals vector");
  const refQ = proposalRef(addQ.payload.subarray(next));

  await q.close();
  await until(() => binary(p, 27).length === 2, "the revoke");
  const revoke = binary(p, 27)[1] as GatewayBinaryMessage;
  assert.equal(revoke.payload[0], 1);
  assert.equal(hex(revoke.payload.subarray(3)), refQ);
  // P's commit adding Q is now stale and refused; nothing was established.
  p.sendCommit(p.heldCommits[0] as Uint8Array);
  await until(() => gateway.inspect(channelId)?.commitsRejected === 1, "the stale commit refused");
  assert.equal(gateway.inspect(channelId)?.established, false);

  // A new member and P create the group.
  p.autoCommit = true;
  const r = await gateway.join("300000000000000013", { channelId });
  await agreed([p, r], 1n);
  assert.deepEqual(
    gateway
      .inspect(channelId)
      ?.roster.map((l) => l.userId)
      .sort(),
    [p.userId, r.userId].sort(),
  );
});
