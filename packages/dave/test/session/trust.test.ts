import assert from "node:assert/strict";
import { test } from "node:test";
import type { Member, MlsGroup } from "@parley/mls";
import { Session, snowflakeBytes, type TrustRefusalReason } from "../../src/index.js";
import { checkContinuity } from "../../src/session/continuity.js";
import { peerGroup, withOwnIdentity } from "./forge.js";
import { TestGateway } from "./testGateway.js";

const CHANNEL = "927310423890473011";
const OTHER_CHANNEL = "927310423890473012";
const [SELF, PEER, IMPOSTOR] = ["158049329150427136", "158533742254751744", "158533742254751999"];

interface Refused {
  source: string;
  reason: string;
  refusal?: TrustRefusalReason;
}

/** A Parley session waiting for a Welcome, with the gateway's external sender, recording refusals. */
async function waitingSession(gateway: TestGateway) {
  const refused: Refused[] = [];
  const session = new Session({
    onMlsFailure: (source, reason, refusal) => refused.push({ source, reason, refusal }),
  });
  await session.init(1, CHANNEL, SELF);
  await session.setExternalSender(gateway.externalSender);
  return { session, refused };
}

test("a Welcome into another channel's group is refused as wrong-group; the session is unchanged", async () => {
  const gateway = await TestGateway.create(CHANNEL);
  const { session, refused } = await waitingSession(gateway);
  const before = session.groupView();

  const forged = await peerGroup(gateway, await session.createKeyPackage(), OTHER_CHANNEL, PEER);
  assert.equal(await session.processWelcome(forged.welcome, [PEER]), null);
  assert.deepEqual(
    refused.map((r) => [r.source, r.refusal]),
    [["processWelcome", "wrong-group"]],
  );
  assert.doesNotMatch(refused[0]?.reason ?? "", /[0-9a-f]{32}/, "no key material in the reason");
  const after = session.groupView();
  assert.equal(after?.established, false);
  assert.equal(after?.epoch, before?.epoch);
  assert.deepEqual(session.userIds(), []);
  assert.equal(await session.getKeyRatchet(SELF), null);

  // The same Welcome for the channel's own group joins: only the group id was wrong.
  const genuine = await peerGroup(gateway, await session.createKeyPackage(), CHANNEL, PEER);
  const joined = await session.processWelcome(genuine.welcome, [PEER]);
  assert.deepEqual([...(joined?.roster.keys() ?? [])].sort(), [PEER, SELF].sort());
  assert.equal(refused.length, 1);
});

test("a commit whose UpdatePath renames the committer is refused as credential-changed; an honest one applies", async () => {
  const gateway = await TestGateway.create(CHANNEL);
  const { session, refused } = await waitingSession(gateway);
  const peer = await peerGroup(gateway, await session.createKeyPackage(), CHANNEL, PEER);
  assert.ok(await session.processWelcome(peer.welcome, [PEER]));
  const view = session.groupView();
  const authenticator = Buffer.from(session.lastEpochAuthenticator).toString("hex");

  // An empty commit carries a path, so the committer's new leaf (and its credential) travels in it.
  const renamed = await withOwnIdentity(peer.group, IMPOSTOR).commit({ publicMessage: true });
  const result = await session.processCommit(renamed.commit);
  assert.equal(result.kind, "failed");
  assert.equal(result.kind === "failed" && result.refusal, "credential-changed");
  assert.deepEqual(
    refused.map((r) => [r.source, r.refusal]),
    [["processCommit", "credential-changed"]],
  );
  assert.match(refused[0]?.reason ?? "", new RegExp(`from user ${PEER} to ${IMPOSTOR}`));
  assert.equal(session.groupView()?.epoch, view?.epoch);
  assert.equal(Buffer.from(session.lastEpochAuthenticator).toString("hex"), authenticator);
  assert.deepEqual(session.userIds().sort(), [PEER, SELF].sort());

  const previous = (session as unknown as { group: MlsGroup }).group;
  const initSecret = previous.state.keySchedule.initSecret;
  assert.ok(initSecret.some((b) => b !== 0));
  const honest = await peer.group.commit({ publicMessage: true });
  const applied = await session.processCommit(honest.commit);
  assert.equal(applied.kind, "roster");
  assert.ok(
    initSecret.every((b) => b === 0),
    "the previous epoch's secrets are zeroed once the commit applies",
  );
  assert.equal(session.groupView()?.epoch, (view?.epoch ?? 0n) + 1n);
  assert.equal(refused.length, 1);
});

test("continuity: a leaf keeps its user and key unless the commit removed it", () => {
  const member = (leafIndex: number, userId: string, key: number): Member => ({
    leafIndex,
    credential: { type: "basic", identity: snowflakeBytes(userId) },
    signatureKey: new Uint8Array(65).fill(key),
    extensions: [],
    encryptionKey: new Uint8Array(65),
  });
  const before = [member(0, SELF, 1), member(1, PEER, 2)];
  const refusal = (after: Member[], removed: number[] = []) => {
    try {
      checkContinuity(before, after, new Set(removed));
      return "kept";
    } catch (err) {
      return (err as { reason?: string }).reason;
    }
  };
  assert.equal(refusal([member(0, SELF, 1), member(1, PEER, 2), member(2, IMPOSTOR, 3)]), "kept");
  assert.equal(
    refusal([member(0, SELF, 1), member(1, IMPOSTOR, 3)]),
    "credential-changed",
    "replaced in place",
  );
  assert.equal(refusal([member(0, SELF, 1), member(1, IMPOSTOR, 3)], [1]), "kept", "removed, then re-used");
  assert.equal(
    refusal([member(0, SELF, 1), member(1, PEER, 4)]),
    "credential-changed",
    "a new signature key",
  );
  assert.equal(refusal([member(0, SELF, 1)]), "credential-changed", "gone without a remove");
  assert.equal(refusal([member(0, SELF, 1)], [1]), "kept");
});
