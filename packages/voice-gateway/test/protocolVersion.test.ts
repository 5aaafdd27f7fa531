import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import type { GatewayMessage } from "@parley/dave";
import { inspectMessage } from "@parley/mls";
import { WAIT_TIMEOUT_MS } from "@parley/testkit";
import { VoiceGatewayClient } from "../src/index.js";
import { agreed, CHANNEL, TestGateway, type TestMember, until } from "./helpers/member.js";

const A = "600000000000000001";
const B = "600000000000000002";
const LEGACY = "600000000000000003";
const D = "600000000000000004";

const d = (m: GatewayMessage | undefined) => (m?.kind === "json" ? m.d : undefined);

/**
 * A and B in an E2EE call, then a client without DAVE joins and the call is downgraded to version 0.
 * Transitions wait for every op 23 however slow the machine: none executes on the timeout.
 */
async function downgradedCall(t: TestContext) {
  const gateway = await TestGateway.start(t, { transitionTimeoutMs: WAIT_TIMEOUT_MS });
  const [a, b] = (await gateway.joinInTurn([A, B])) as [TestMember, TestMember];
  const oldCode = a.authenticator;
  await until(() => a.executed.length === 1 && b.executed.length === 1, "the group's first transition");
  const legacy = await gateway.join(LEGACY, { maxDaveProtocolVersion: 0 });
  await until(() => a.executed.length === 2 && b.executed.length === 2, "op 22");
  return { gateway, a, b, legacy, oldCode };
}

test("a client without DAVE joins: downgrade to version 0 by op 21 → op 23 → op 22", async (t) => {
  const { gateway, a, b, legacy } = await downgradedCall(t);
  assert.deepEqual(d(legacy.ops(4)[0]), { dave_protocol_version: 0 });
  assert.equal(legacy.ops(25).length, 0, "no external sender for a client without DAVE");

  const prepare = d(a.ops(21).at(-1)) as { transition_id: number; protocol_version: number };
  assert.equal(prepare.protocol_version, 0);
  assert.notEqual(prepare.transition_id, 0);
  assert.equal(a.executed.at(-1), prepare.transition_id);
  assert.equal(a.version, 0);
  assert.equal(b.version, 0);
  const state = gateway.inspect(CHANNEL);
  assert.equal(state?.protocolVersion, 0);
  assert.equal(state?.established, false);
  assert.ok(
    gateway.logs.some(
      (l) =>
        l.msg === "transition executed" && l.transitionId === prepare.transition_id && l.timedOut === false,
    ),
    "executed on everyone's op 23, not the timeout",
  );
});

test("at version 0 a DAVE client is told version 0 and key packages are refused", async (t) => {
  const { gateway } = await downgradedCall(t);
  const dave = await gateway.join(D);
  assert.deepEqual(d(dave.ops(4)[0]), { dave_protocol_version: 0 });
  await until(() => dave.ops(25).length === 1, "op 25 still sent, for a later upgrade");
  await dave.session.init(1, CHANNEL, D);
  await dave.session.setExternalSender((dave.ops(25)[0] as { payload: Uint8Array }).payload);
  dave.client.sendBinary(26, dave.session.getMarshalledKeyPackage());
  await until(() => gateway.logs.some((l) => l.code === "wrong-state"), "the key package refused");
  assert.equal(gateway.inspect(CHANNEL)?.unrevokedProposals, 0);
});

test("the last client without DAVE leaves: upgrade by op 24 epoch 1 and a new group", async (t) => {
  const { gateway, a, b, legacy, oldCode } = await downgradedCall(t);
  // A DAVE client joins at version 0 and waits for the upgrade.
  const dave = await gateway.join(D, { createsGroup: false });
  // A alone creates the new group (B and D leave it to A), with the commit adding both of them: which key
  // packages one proposal batch catches depends on timing, the group A's last commit makes does not.
  a.autoCommit = false;
  await legacy.close();
  await until(() => a.ops(24).length === 1 && b.ops(24).length === 1, "op 24 to the DAVE members");
  assert.deepEqual(d(a.ops(24)[0]), { epoch: 1, protocol_version: 1 });
  assert.deepEqual(d(a.ops(13).at(-1)), { user_id: LEGACY });
  const addsOf = (commit: Uint8Array | undefined) => {
    const info = commit && inspectMessage(commit);
    return info && info.wireFormat === "mls_public_message" ? info.proposals.length : 0;
  };
  await until(
    () => addsOf(a.heldParts.at(-1)?.commit) === 2,
    "A's commit adding B and D",
    () => `A holds ${a.heldParts.length} commits`,
  );
  a.autoCommit = true;
  a.sendCommit(a.heldCommits.at(-1) as Uint8Array);
  await agreed([a, b, dave], 1n);
  assert.notEqual(a.authenticator, oldCode, "a new group, not the old one");
  await until(
    () => a.version === 1 && b.version === 1 && dave.version === 1,
    "the transition back to version 1",
  );
  const state = gateway.inspect(CHANNEL);
  assert.equal(state?.protocolVersion, 1);
  assert.equal(state?.established, true);
  assert.equal(state?.roster.length, 3, "A, B and the DAVE client that waited at version 0");
});

test("a member that never sends op 23 does not stall a transition: op 22 after the timeout", async (t) => {
  const gateway = await TestGateway.start(t, { transitionTimeoutMs: 400 });
  // A bare DAVE-capable client that ignores everything joins another channel with A's twin.
  const channelId = "600000000000000099";
  const member = await gateway.join("600000000000000010", { channelId });
  const mute = await VoiceGatewayClient.connect(gateway.url, "600000000000000011", {
    channelId,
    timeoutMs: WAIT_TIMEOUT_MS,
  });
  gateway.onClose(() => mute.close());
  const started = Date.now();
  await gateway.join("600000000000000012", { channelId, maxDaveProtocolVersion: 0 });
  await until(() => member.executed.length === 1, "op 22 despite the silent member");
  const waited = Date.now() - started;
  assert.ok(waited >= 350, `waited ${waited} ms for the 400 ms timeout`);
  assert.ok(gateway.logs.some((l) => l.msg === "transition executed" && l.timedOut === true));
});
