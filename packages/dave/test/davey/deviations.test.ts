import assert from "node:assert/strict";
import { test } from "node:test";
import { ProposalsOperationType } from "@snazzah/davey";
import { peerGroup, withOwnIdentity } from "../session/forge.js";
import { TestGateway } from "../session/testGateway.js";
import { CHANNEL, KINDS, newSession } from "./parties.js";

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

test("deliberate difference: a Welcome into another channel's group, and a commit renaming a member, are refused (davey accepts both)", async () => {
  const gateway = await TestGateway.create(CHANNEL);
  const [self, peer, impostor] = ["158049329150427136", "158533742254751744", "158533742254751999"];
  const outcomes: Record<string, string[]> = {};
  for (const kind of KINDS) {
    const seen: string[] = [];
    const fresh = () => {
      const session = newSession(kind, self);
      session.setExternalSender(Buffer.from(gateway.externalSender));
      return session;
    };
    const wrong = fresh();
    const forged = await peerGroup(gateway, wrong.getSerializedKeyPackage(), "927310423890473012", peer);
    try {
      wrong.processWelcome(Buffer.from(forged.welcome));
      seen.push("joined another channel's group");
    } catch (err) {
      seen.push((err as Error).message);
    }
    const member = fresh();
    const group = await peerGroup(gateway, member.getSerializedKeyPackage(), CHANNEL, peer);
    member.processWelcome(Buffer.from(group.welcome));
    const renamed = await withOwnIdentity(group.group, impostor).commit({ publicMessage: true });
    try {
      member.processCommit(Buffer.from(renamed.commit));
      seen.push(`renamed: ${[...member.getUserIds()].sort().join(",")}`);
    } catch (err) {
      seen.push((err as Error).message);
    }
    outcomes[kind] = seen;
  }
  assert.deepEqual(outcomes.davey, [
    "joined another channel's group",
    `renamed: ${[impostor, self].sort().join(",")}`,
  ]);
  const [welcome, commit] = outcomes.parley ?? [];
  assert.match(welcome ?? "", /^Failed to process welcome: .*not this channel's/);
  assert.match(commit ?? "", new RegExp(`^Failed to process commit: .*from user ${peer} to ${impostor}`));
});
