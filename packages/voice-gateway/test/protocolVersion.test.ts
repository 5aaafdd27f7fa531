import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { GatewayMessage } from "@parley/dave";
import { startVoiceGateway, type VoiceGateway, VoiceGatewayClient } from "../src/index.js";
import { agreed, CHANNEL, logSink, TestMember, until } from "./helpers/member.js";

const A = "600000000000000001";
const B = "600000000000000002";
const LEGACY = "600000000000000003";
const D = "600000000000000004";

let gateway: VoiceGateway;
const sink = logSink();
const closers: Array<() => Promise<void>> = [];

before(async () => {
  gateway = await startVoiceGateway({ logStream: sink, logLevel: "info", transitionTimeoutMs: 400 });
});
after(async () => {
  await Promise.all(closers.map((c) => c()));
  await gateway.close();
});

const d = (m: GatewayMessage | undefined) => (m?.kind === "json" ? m.d : undefined);
let a: TestMember;
let b: TestMember;
let legacy: TestMember;
let oldCode: string;

test("a client without DAVE joins: downgrade to version 0 by op 21 → op 23 → op 22", async () => {
  a = await TestMember.join(gateway.url, A);
  b = await TestMember.join(gateway.url, B);
  closers.push(
    () => a.close(),
    () => b.close(),
  );
  oldCode = await agreed([a, b], 1n);
  await until(() => a.executed.length === 1 && b.executed.length === 1, "the group's first transition");

  legacy = await TestMember.join(gateway.url, LEGACY, { maxDaveProtocolVersion: 0 });
  closers.push(() => legacy.close());
  assert.deepEqual(d(legacy.ops(4)[0]), { dave_protocol_version: 0 });
  assert.equal(legacy.ops(25).length, 0, "no external sender for a client without DAVE");

  await until(() => a.executed.length === 2 && b.executed.length === 2, "op 22");
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
    sink.lines.some(
      (l) =>
        l.msg === "transition executed" && l.transitionId === prepare.transition_id && l.timedOut === false,
    ),
    "executed on everyone's op 23, not the timeout",
  );
});

test("at version 0 a DAVE client is told version 0 and key packages are refused", async () => {
  const dave = await TestMember.join(gateway.url, D);
  closers.push(() => dave.close());
  assert.deepEqual(d(dave.ops(4)[0]), { dave_protocol_version: 0 });
  await until(() => dave.ops(25).length === 1, "op 25 still sent, for a later upgrade");
  await dave.session.init(1, CHANNEL, D);
  await dave.session.setExternalSender((dave.ops(25)[0] as { payload: Uint8Array }).payload);
  dave.client.sendBinary(26, dave.session.getMarshalledKeyPackage());
  await until(() => sink.lines.some((l) => l.code === "wrong-state"), "the key package refused");
  assert.equal(gateway.inspect(CHANNEL)?.unrevokedProposals, 0);
});

test("the last client without DAVE leaves: upgrade by op 24 epoch 1 and a new group", async () => {
  await legacy.close();
  await until(() => a.ops(24).length === 1 && b.ops(24).length === 1, "op 24 to the DAVE members");
  assert.deepEqual(d(a.ops(24)[0]), { epoch: 1, protocol_version: 1 });
  assert.deepEqual(d(a.ops(13).at(-1)), { user_id: LEGACY });
  await agreed([a, b], 1n);
  assert.notEqual(a.authenticator, oldCode, "a new group, not the old one");
  await until(() => a.version === 1 && b.version === 1, "the transition back to version 1");
  const state = gateway.inspect(CHANNEL);
  assert.equal(state?.protocolVersion, 1);
  assert.equal(state?.established, true);
  assert.equal(state?.roster.length, 3, "A, B and the DAVE client that waited at version 0");
});

test("a member that never sends op 23 does not stall a transition: op 22 after the timeout", async () => {
  // A bare DAVE-capable client that ignores everything joins another channel with A's twin.
  const channelId = "600000000000000099";
  const member = await TestMember.join(gateway.url, "600000000000000010", { channelId });
  const mute = await VoiceGatewayClient.connect(gateway.url, "600000000000000011", { channelId });
  closers.push(
    () => member.close(),
    () => mute.close(),
  );
  const started = Date.now();
  const legacy2 = await TestMember.join(gateway.url, "600000000000000012", {
    channelId,
    maxDaveProtocolVersion: 0,
  });
  closers.push(() => legacy2.close());
  await until(() => member.executed.length === 1, "op 22 despite the silent member", 3000);
  const waited = Date.now() - started;
  assert.ok(waited >= 350, `waited ${waited} ms for the 400 ms timeout`);
  assert.ok(sink.lines.some((l) => l.msg === "transition executed" && l.timedOut === true));
});
