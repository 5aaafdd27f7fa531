import assert from "node:assert/strict";
import { test } from "node:test";
import * as davey from "@snazzah/davey";
import { DAVESession, MediaType, ProposalsOperationType } from "../../src/index.js";
import { TestGateway } from "../session/testGateway.js";
import { CHANNEL } from "./parties.js";

const [PARLEY, DAVEY] = ["158049329150427136", "158533742254751744"];
const clear = Buffer.from(Array.from({ length: 60 }, (_, i) => (i * 5 + 1) & 0x7f));

/** A Parley facade (made by `make`) and a davey session in one group, created by the facade. */
async function pair(make: () => DAVESession) {
  const gateway = await TestGateway.create(CHANNEL);
  const parley = make();
  const other = new davey.DAVESession(1, DAVEY, CHANNEL);
  for (const s of [parley, other]) s.setExternalSender(Buffer.from(gateway.externalSender));
  const add = await gateway.proposal(0n, { add: other.getSerializedKeyPackage() });
  const created = parley.processProposals(
    ProposalsOperationType.APPEND,
    Buffer.from(TestGateway.vector([add])),
  );
  assert.ok(created.commit && created.welcome);
  parley.processCommit(created.commit);
  other.processWelcome(created.welcome);
  return { parley, other };
}

test("facade with { requireE2EE }: passthrough refused in davey's style, clear packets dropped and counted", async () => {
  const { parley, other } = await pair(
    () => new DAVESession(1, PARLEY, CHANNEL, null, { requireE2EE: true }),
  );
  assert.equal(parley.requireE2EE, true);
  assert.throws(() => parley.setPassthroughMode(true, 10), {
    message: "Failed to set passthrough mode: E2EERequired",
  });
  assert.throws(() => parley.setPassthroughMode(true));
  parley.setPassthroughMode(false, 0); // leaving passthrough is always allowed
  assert.equal(parley.canPassthrough(DAVEY), false);

  for (let i = 1; i <= 2; i++) {
    assert.throws(() => parley.decrypt(DAVEY, MediaType.AUDIO, clear), {
      message: "Failed to decrypt: DecryptionFailed(UnencryptedWhenPassthroughDisabled)",
    });
    assert.equal(parley.droppedPassthroughPackets, i);
  }
  const sealed = other.encryptOpus(clear);
  assert.deepEqual(parley.decrypt(DAVEY, MediaType.AUDIO, sealed), clear, "encrypted packets still decrypt");
  assert.equal(parley.droppedPassthroughPackets, 2);
});

test("without the option the facade takes passthrough as davey does; a bad options argument is refused", async () => {
  const { parley, other } = await pair(() => new DAVESession(1, PARLEY, CHANNEL));
  for (const session of [parley, other]) {
    session.setPassthroughMode(true, 10);
    assert.deepEqual(session.decrypt(session === parley ? DAVEY : PARLEY, MediaType.AUDIO, clear), clear);
  }
  assert.equal(parley.requireE2EE, false);
  assert.equal(parley.droppedPassthroughPackets, 0);

  assert.throws(() => new DAVESession(1, PARLEY, CHANNEL, null, 7 as never), { code: "ObjectExpected" });
  assert.throws(() => new DAVESession(1, PARLEY, CHANNEL, undefined, { requireE2EE: "yes" as never }), {
    code: "BooleanExpected",
  });
});
