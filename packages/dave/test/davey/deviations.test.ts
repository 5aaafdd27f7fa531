import assert from "node:assert/strict";
import { test } from "node:test";
import { ProposalsOperationType } from "@snazzah/davey";
import { TestGateway } from "../session/testGateway.js";
import { CHANNEL, newSession } from "./parties.js";

test("deliberate difference: a re-commit of a pending add still carries the Welcome (davey drops it)", async () => {
  const gateway = await TestGateway.create(CHANNEL);
  const joiner = newSession("davey", "158533742254751744");
  const results = [];
  for (const kind of ["parley", "davey"] as const) {
    const creator = newSession(kind, "158049329150427136");
    creator.setExternalSender(Buffer.from(gateway.externalSender));
    const add = await gateway.proposal(0n, { add: joiner.getSerializedKeyPackage() });
    creator.processProposals(ProposalsOperationType.APPEND, Buffer.from(TestGateway.vector([add])));
    // Nothing new arrives, but the add is still pending: both commit to it again.
    results.push(creator.processProposals(ProposalsOperationType.APPEND, Buffer.of(0)));
  }
  const [ours, davey] = results;
  assert.ok(ours?.commit && ours.welcome, "Parley: the commit adds a member, so a Welcome comes with it");
  assert.ok(davey?.commit && !davey.welcome, "davey only sends a Welcome for adds appended in the same call");
});
