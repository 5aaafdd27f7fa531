import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import type { GatewayBinaryMessage } from "@parley/dave";
import { inspectMessage, readVarint, splitMessages } from "@parley/mls";
import { agreed, TestGateway, type TestMember, until } from "./helpers/member.js";

const A = "500000000000000001";
const B = "500000000000000002";
const C = "500000000000000003";

/** The proposal types in an op 27 append. */
function proposalKinds(message: GatewayBinaryMessage): string[] {
  const { next } = readVarint(message.payload, 1, "proposals");
  return splitMessages(message.payload.subarray(next)).map((m) => {
    const info = inspectMessage(m);
    return info.wireFormat === "mls_public_message" ? String(info.proposals[0]?.type) : "?";
  });
}

/** A, B and C in a call at epoch 2, A having created the group. */
async function threeMembers(t: TestContext) {
  const gateway = await TestGateway.start(t);
  const [a, b, c] = (await gateway.joinInTurn([A, B, C])) as [TestMember, TestMember, TestMember];
  return { gateway, a, b, c };
}

test("op 31 recovery: the flagging member is removed and re-added with its next key package", async (t) => {
  const { gateway, a, b, c } = await threeMembers(t);
  const before = gateway.inspect();
  const leafOfB = before?.roster.find((l) => l.userId === B)?.leaf;
  const proposalsSeen = a.ops(27).length;
  const oldCode = a.authenticator;

  // B reports the last transition's commit as unprocessable, resets, and sends a new key package.
  await b.recover(b.executed.at(-1) ?? 0);
  await agreed([a, b, c], 3n);
  assert.notEqual(a.authenticator, oldCode);

  // One op 27 carried both the removal of B's stale leaf and the add of its new key package.
  const appended = (a.ops(27) as GatewayBinaryMessage[]).slice(proposalsSeen);
  assert.equal(appended.length, 1);
  assert.deepEqual(proposalKinds(appended[0] as GatewayBinaryMessage).sort(), ["add", "remove"]);
  // B rejoined by Welcome into its old (blanked) leaf; nobody appears twice.
  assert.equal(b.ops(30).length, 2);
  const state = gateway.inspect();
  assert.deepEqual(state?.roster.map((l) => l.userId).sort(), [A, B, C].sort());
  assert.equal(state?.roster.find((l) => l.userId === B)?.leaf, leafOfB);
  await until(() => b.executed.length >= 2, "B's transition");
});

test("op 31 from a member whose group nobody else holds re-creates the group", async (t) => {
  const { gateway, a, b, c } = await threeMembers(t);
  await c.close();
  await agreed([a, b], 3n);
  // B reports failure, and its new key package is in before A reports failure too, A holding the commit that
  // would re-add B: no healthy member is left to commit, so the gateway re-creates the group from the key
  // packages that answer op 24 epoch 1. (Were B's first key package still on its way, it would arrive after
  // the reset, be proposed, and lose to the one B sends for op 24: a Welcome for it would fail.)
  a.autoCommit = false;
  const logFrom = gateway.logs.length;
  await b.recover(0);
  await until(
    () => gateway.logs.slice(logFrom).some((l) => l.msg === "key package accepted" && l.userId === B),
    "B's new key package taken by the gateway",
  );
  await until(() => a.heldCommits.length === 1, "A's commit re-adding B, held");
  a.autoCommit = true;
  await a.recover(0);
  await until(() => a.ops(24).length === 1 && b.ops(24).length === 1, "op 24 to both");
  await agreed([a, b], 1n);
  assert.equal(gateway.inspect()?.epoch, 1n);
  assert.deepEqual(
    gateway.inspect()?.roster.map((l) => l.userId),
    [A, B],
    "A created the group",
  );
});

test("a user reconnecting while its old leaf is still in the group is removed and re-added, never duplicated", async (t) => {
  const { gateway, a, b, c } = await threeMembers(t);
  // C's connection drops and C comes straight back under the same user id.
  await c.close();
  const c2 = await gateway.join(C);
  await until(
    () =>
      a.epoch !== undefined &&
      a.epoch >= 3n &&
      c2.epoch === a.epoch &&
      b.epoch === a.epoch &&
      a.authenticator === c2.authenticator &&
      b.authenticator === c2.authenticator,
    "A, B and the reconnected C to agree",
    () => [a, b, c2].map((m) => `${m.userId.slice(-1)}@${m.epoch}:${m.authenticator.slice(0, 8)}`).join(" "),
  );
  const roster = gateway.inspect()?.roster.map((l) => l.userId) ?? [];
  assert.deepEqual([...roster].sort(), [A, B, C].sort(), "C appears once");
  assert.deepEqual([...a.failures, ...b.failures, ...c2.failures], []);
});
