import assert from "node:assert/strict";
import { test } from "node:test";
import { MediaType, ProposalsOperationType } from "@snazzah/davey";
import { TestGateway } from "../session/testGateway.js";
import { CHANNEL, type Dave, newSession } from "./parties.js";

const micros = (runs: number, body: (i: number) => void) => {
  const started = performance.now();
  for (let i = 0; i < runs; i++) body(i);
  return ((performance.now() - started) * 1000) / runs;
};

test("cost: a bridged MLS call, and media on the calling thread, beside davey", async (t) => {
  const gateway = await TestGateway.create(CHANNEL);
  const ids = { parley: "158049329150427136", davey: "158533742254751744" };
  const parley = newSession("parley", ids.parley);
  const davey = newSession("davey", ids.davey);
  for (const s of [parley, davey]) s.setExternalSender(Buffer.from(gateway.externalSender));
  const add = await gateway.proposal(0n, { add: davey.getSerializedKeyPackage() });
  const made = parley.processProposals(ProposalsOperationType.APPEND, Buffer.from(TestGateway.vector([add])));
  parley.processCommit(made.commit as Buffer);
  davey.processWelcome(made.welcome as Buffer);

  // An op 27 with nothing in it: one worker round trip around the least MLS work there is.
  const idle = (s: Dave) => () => s.processProposals(ProposalsOperationType.APPEND, Buffer.of(0));
  const bridged = micros(500, idle(parley));
  t.diagnostic(
    `empty processProposals: facade ${bridged.toFixed(1)} µs, davey ${micros(500, idle(davey)).toFixed(1)} µs`,
  );
  assert.ok(bridged < 2000);

  const opus = Buffer.alloc(120, 7);
  const runs = 2000;
  for (const [name, sender, receiver, senderId] of [
    ["facade → davey", parley, davey, ids.parley],
    ["davey → facade", davey, parley, ids.davey],
  ] as const) {
    const frames: Buffer[] = [];
    const encrypt = micros(runs, () => frames.push(sender.encryptOpus(opus)));
    const decrypt = micros(runs, (i) => receiver.decrypt(senderId, MediaType.AUDIO, frames[i] as Buffer));
    t.diagnostic(`Opus 120 B ${name}: encrypt ${encrypt.toFixed(1)} µs, decrypt ${decrypt.toFixed(1)} µs`);
    assert.ok(encrypt < 500 && decrypt < 500, "media never crosses to the worker");
  }
});
