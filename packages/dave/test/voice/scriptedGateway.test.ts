import assert from "node:assert/strict";
import { test } from "node:test";
import { Decryptor, VoiceOpcode as Op, parseProtocolFrame, Session, VoiceSession } from "../../src/index.js";
import { TestGateway } from "../session/testGateway.js";
import { CHANNEL, until } from "./call.js";
import { changes } from "./changes.js";
import { ScriptedTransport } from "./scriptedTransport.js";
import { splitCommitWelcome } from "./testVoiceGateway.js";

const [A, B] = ["158049329150427136", "158533742254751744"];

/**
 * A VoiceSession for A that commits B's addition, and a plain Session for B: up to op 28, with the commit and
 * Welcome A produced. Nothing from op 29 on has been sent to A.
 */
async function committed() {
  const gateway = await TestGateway.create(CHANNEL);
  const transport = new ScriptedTransport();
  const session = new VoiceSession({ transport, userId: A, channelId: CHANNEL });
  const executed: number[] = [];
  session.on("transition", (e) => {
    executed.push(e.transitionId);
    changes.notify();
  });

  transport.json(Op.sessionDescription, { dave_protocol_version: 1 });
  transport.binary(Op.mlsExternalSenderPackage, gateway.externalSender);
  transport.json(Op.clientsConnect, { user_ids: [B] });
  await until(() => transport.sent.length === 1, "a key package");
  assert.equal(transport.sent[0]?.op, Op.mlsKeyPackage);

  const other = new Session();
  await other.init(1, CHANNEL, B);
  await other.setExternalSender(gateway.externalSender);
  const add = await gateway.proposal(0n, { add: other.getMarshalledKeyPackage() });
  transport.binary(Op.mlsProposals, TestGateway.append([add]));
  await until(() => transport.sent.length === 2, "a commit");
  assert.equal(transport.sent[1]?.op, Op.mlsCommitWelcome);
  const { commit, welcome } = splitCommitWelcome(transport.sent[1]?.payload as Uint8Array);
  assert.ok(welcome, "the commit adds B, so a Welcome follows it");
  return { transport, session, executed, other, commit, welcome };
}

/** B's decryptor for A's frames in the epoch B joined. */
async function receiverFor(other: Session, welcome: Uint8Array): Promise<Decryptor> {
  assert.ok(await other.processWelcome(welcome, [A]));
  const decryptor = new Decryptor();
  decryptor.transitionToKeyRatchet(await other.getKeyRatchet(A));
  return decryptor;
}

test("opcodes are handled in arrival order even when the next arrives before the last one's MLS work ends", async (t) => {
  const { transport, session, executed, other, commit, welcome } = await committed();
  t.after(() => session.dispose());

  // The execute arrives while the commit is still being processed: it must wait for it, not be dropped.
  transport.binary(Op.mlsAnnounceCommitTransition, Uint8Array.from([0, 5, ...commit]));
  transport.json(Op.daveProtocolExecuteTransition, { transition_id: 5 });
  await until(() => executed.length === 1, "the transition to execute");
  assert.deepEqual(executed, [5]);
  assert.ok(session.ready);
  assert.deepEqual(transport.sent[2], { op: Op.daveProtocolReadyForTransition, d: { transition_id: 5 } });
  assert.equal(session.epoch, 1n);

  const frame = session.encrypt(new Uint8Array(50).fill(3));
  assert.ok(frame.ok);
  const opened = (await receiverFor(other, welcome)).decrypt("audio", frame.frame);
  assert.ok(opened.ok && opened.frame.every((b) => b === 3));
});

test("a transition that keeps the epoch never restarts nonces under the same key", async (t) => {
  const { transport, session, executed, other, commit, welcome } = await committed();
  t.after(() => session.dispose());
  transport.binary(Op.mlsAnnounceCommitTransition, Uint8Array.from([0, 0, ...commit])); // transition 0: at once
  await until(() => executed.length === 1, "the transition to execute");
  const receiver = await receiverFor(other, welcome);
  const nonces: number[] = [];
  const send = () => {
    const result = session.encrypt(new Uint8Array(50).fill(4));
    assert.ok(result.ok && receiver.decrypt("audio", result.frame).ok);
    nonces.push(parseProtocolFrame(result.frame)?.truncatedNonce ?? -1);
  };
  send();
  send();
  transport.json(Op.daveProtocolPrepareTransition, { transition_id: 0, protocol_version: 1 });
  await until(() => executed.length === 2, "the second transition");
  send();
  assert.deepEqual(nonces, [1, 2, 3]);
  assert.equal(transport.sent.length, 2, "transition 0 needs no op 23");
});
