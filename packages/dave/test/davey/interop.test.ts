import assert from "node:assert/strict";
import { test } from "node:test";
import { Codec, MediaType, ProposalsOperationType, SessionStatus } from "@snazzah/davey";
import { TestGateway } from "../session/testGateway.js";
import { type Dave, type Kind, newSession } from "./parties.js";

const hex = (b: Uint8Array | null) => Buffer.from(b ?? []).toString("hex");

interface Member {
  readonly id: string;
  readonly kind: Kind;
  readonly session: Dave;
}

/** Everyone in the group sees the same epoch, roster, authenticator and voice privacy code. */
function assertAgree(members: readonly Member[], epoch: bigint): void {
  const [first] = members;
  assert.ok(first);
  for (const { id, kind, session } of members) {
    const who = `${kind} ${id}`;
    assert.equal(session.status, SessionStatus.ACTIVE, who);
    assert.equal(session.ready, true, who);
    assert.equal(session.epoch, epoch, who);
    assert.deepEqual([...session.getUserIds()].sort(), members.map((m) => m.id).sort(), who);
    assert.equal(hex(session.getEpochAuthenticator()), hex(first.session.getEpochAuthenticator()), who);
    assert.equal(session.voicePrivacyCode, first.session.voicePrivacyCode, who);
    assert.match(session.voicePrivacyCode, /^\d{30}$/);
  }
  const leaves = new Set(members.map((m) => m.session.ownLeafIndex));
  assert.equal(leaves.size, members.length, "every member has its own leaf");
}

const opus = Buffer.from(Array.from({ length: 120 }, (_, i) => (i * 13) & 0xff));
const vp8 = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xfe));
const h264 = Buffer.from([
  0,
  0,
  0,
  1,
  0x67,
  0x42,
  0xc0,
  0x1f,
  0,
  0,
  0,
  1,
  0x65,
  0x88,
  0x80,
  ...vp8.subarray(0, 400),
]);

/** Every member decrypts every other member's Opus, VP8 and H.264 frames. */
function assertMediaFlows(members: readonly Member[]): void {
  for (const sender of members) {
    const frames = [
      [MediaType.AUDIO, sender.session.encryptOpus(opus), opus],
      [MediaType.VIDEO, sender.session.encrypt(MediaType.VIDEO, Codec.VP8, vp8), vp8],
      [MediaType.VIDEO, sender.session.encrypt(MediaType.VIDEO, Codec.H264, h264), h264],
    ] as const;
    for (const receiver of members) {
      if (receiver === sender) continue;
      for (const [media, sealed, plain] of frames) {
        assert.notDeepEqual(sealed, plain);
        const opened = receiver.session.decrypt(sender.id, media, sealed);
        assert.ok(Buffer.isBuffer(opened));
        assert.deepEqual(opened, plain, `${receiver.kind} decrypts ${sender.kind}'s frame`);
      }
    }
  }
}

async function assertVerificationCodes(members: readonly Member[]): Promise<void> {
  for (const a of members) {
    for (const b of members) {
      if (a.id >= b.id) continue;
      const [ab, ba] = [await a.session.getVerificationCode(b.id), await b.session.getVerificationCode(a.id)];
      assert.match(ab, /^\d{45}$/);
      assert.equal(ab, ba, `${a.kind} and ${b.kind} show the same verification code`);
    }
  }
}

test("a mixed group of Parley facades and davey sessions: joins, a commit race, a removal, media and codes", async () => {
  const gateway = await TestGateway.create("927310423890473011");
  const members: Member[] = [
    { id: "158049329150427136", kind: "parley" },
    { id: "158533742254751744", kind: "davey" },
    { id: "158533742254751999", kind: "parley" },
    { id: "172672836372578304", kind: "davey" },
  ].map((m) => ({ ...(m as { id: string; kind: Kind }), session: newSession(m.kind as Kind, m.id) }));
  const [first, second, third, fourth] = members as [Member, Member, Member, Member];
  // discord.js's order: a key package at once (op 26), the external sender when op 25 arrives.
  const keyPackages = new Map(members.map((m) => [m.id, m.session.getSerializedKeyPackage()]));
  for (const m of members) m.session.setExternalSender(Buffer.from(gateway.externalSender));
  for (const m of members) assert.equal(m.session.status, SessionStatus.PENDING);

  // The Parley member is alone: the gateway adds the davey member to its local group.
  const addSecond = await gateway.proposal(0n, { add: keyPackages.get(second.id) as Buffer });
  const created = first.session.processProposals(
    ProposalsOperationType.APPEND,
    Buffer.from(TestGateway.vector([addSecond])),
    [second.id],
  );
  assert.ok(created.commit && created.welcome);
  assert.equal(first.session.status, SessionStatus.AWAITING_RESPONSE);
  first.session.processCommit(created.commit);
  second.session.processWelcome(created.welcome);
  assertAgree([first, second], 1n);

  // Two join at once; both members commit; the gateway broadcasts davey's commit.
  const adds = [
    await gateway.proposal(1n, { add: keyPackages.get(third.id) as Buffer }),
    await gateway.proposal(1n, { add: keyPackages.get(fourth.id) as Buffer }),
  ];
  const offers = [first, second].map((m) =>
    m.session.processProposals(
      ProposalsOperationType.APPEND,
      Buffer.from(TestGateway.vector(adds)),
      members.map((x) => x.id),
    ),
  );
  for (const offer of offers) assert.ok(offer.commit && offer.welcome);
  const winner = offers[1] as { commit: Buffer; welcome: Buffer };
  first.session.processCommit(winner.commit);
  second.session.processCommit(winner.commit);
  third.session.processWelcome(winner.welcome);
  fourth.session.processWelcome(winner.welcome);
  assertAgree(members, 2n);
  assertMediaFlows(members);
  await assertVerificationCodes(members);

  // The gateway removes the davey member; the Parley member's commit wins, and nobody decrypts the leaver any more.
  const remove = await gateway.proposal(2n, { remove: second.session.ownLeafIndex as number });
  const rest = [first, third, fourth];
  const removals = rest.map((m) =>
    m.session.processProposals(ProposalsOperationType.APPEND, Buffer.from(TestGateway.vector([remove]))),
  );
  assert.ok(removals.every((r) => r.commit && !r.welcome));
  for (const m of rest) m.session.processCommit(removals[0]?.commit as Buffer);
  assertAgree(rest, 3n);
  assertMediaFlows(rest);
  for (const m of rest) {
    assert.throws(() => m.session.decrypt(second.id, MediaType.AUDIO, opus), {
      message: "Failed to decrypt: NoDecryptorForUser",
    });
  }
});
