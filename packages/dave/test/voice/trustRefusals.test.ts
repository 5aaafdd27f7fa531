import assert from "node:assert/strict";
import { test } from "node:test";
import { VoiceOpcode as Op, type VoiceFailure, VoiceSession } from "../../src/index.js";
import { peerGroup } from "../session/forge.js";
import { TestGateway } from "../session/testGateway.js";
import { CHANNEL, until } from "./call.js";
import { changes } from "./changes.js";
import { ScriptedTransport } from "./scriptedTransport.js";

const [A, B] = ["158049329150427136", "158533742254751744"];
const OTHER_CHANNEL = "927310423890473099";

test("a forged Welcome (another channel's group) is a wrong-group failure, op 31 and a fresh key package", async () => {
  const gateway = await TestGateway.create(CHANNEL);
  const transport = new ScriptedTransport();
  const session = new VoiceSession({ transport, userId: B, channelId: CHANNEL });
  const failures: VoiceFailure[] = [];
  session.on("failure", (f) => {
    failures.push(f);
    changes.notify();
  });
  transport.json(Op.sessionDescription, { dave_protocol_version: 1 });
  transport.binary(Op.mlsExternalSenderPackage, gateway.externalSender);
  transport.json(Op.clientsConnect, { user_ids: [A] });
  await until(() => transport.sent.length === 1, "a key package");
  const keyPackage = transport.sent[0]?.payload as Uint8Array;

  const forged = await peerGroup(gateway, keyPackage, OTHER_CHANNEL, A);
  transport.binary(Op.mlsWelcome, Uint8Array.of(0, 7, ...forged.welcome));
  await until(() => transport.sent.length === 3, "op 31 and a new key package");
  assert.deepEqual(
    failures.map((f) => [f.source, f.refusal]),
    [["processWelcome", "wrong-group"]],
  );
  assert.deepEqual(transport.sent[1], { op: Op.mlsInvalidCommitWelcome, d: { transition_id: 7 } });
  assert.equal(transport.sent[2]?.op, Op.mlsKeyPackage);
  assert.equal(session.epoch, 0n);
  assert.equal(session.voicePrivacyCode, "");
  assert.equal(session.ready, false);
  session.dispose();
});
