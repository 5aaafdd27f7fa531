import assert from "node:assert/strict";
import { test } from "node:test";
import { Codec, DAVESession, MediaType, ProposalsOperationType } from "@snazzah/davey";
import { Decryptor, Encryptor, Session, verificationCode, voicePrivacyCode } from "../../src/index.js";
import { TestGateway } from "./testGateway.js";

const CHANNEL = "927310423890473011";
const PARLEY = "158049329150427136";
const DAVEY = "158533742254751744";
const THIRD = "158533742254751999";

const hex = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString("hex");

async function parleySession(gateway: TestGateway, userId: string): Promise<Session> {
  const failures: string[] = [];
  const session = new Session({ onMlsFailure: (s, r) => failures.push(`${s}: ${r}`) });
  await session.init(1, CHANNEL, userId);
  await session.setExternalSender(gateway.externalSender);
  return session;
}

function daveySession(gateway: TestGateway, userId: string): DAVESession {
  const session = new DAVESession(1, userId, CHANNEL);
  session.setExternalSender(Buffer.from(gateway.externalSender));
  return session;
}

test("davey joins a Parley-created group, then a third Parley member joins by davey's commit", async () => {
  const gateway = await TestGateway.create(CHANNEL);
  const parley = await parleySession(gateway, PARLEY);
  const davey = daveySession(gateway, DAVEY);

  // Parley is first in the call: the gateway proposes adding davey to Parley's local group.
  const addDavey = await gateway.proposal(0n, { add: davey.getSerializedKeyPackage() });
  const produced = await parley.processProposals(TestGateway.append([addDavey]), [DAVEY]);
  assert.ok(produced?.welcome, "Parley commits the add with a Welcome");
  const own = await parley.processCommit(produced.commit);
  assert.equal(own.kind, "roster");
  davey.processWelcome(Buffer.from(produced.welcome));
  assert.equal(davey.epoch, 1n);
  assert.equal(hex(davey.getEpochAuthenticator()), hex(parley.lastEpochAuthenticator));

  // A third member: both process the proposal; the gateway broadcasts davey's commit (it won the race).
  const third = await parleySession(gateway, THIRD);
  const addThird = await gateway.proposal(1n, { add: third.getMarshalledKeyPackage() });
  const parleyCommit = await parley.processProposals(TestGateway.append([addThird]), [DAVEY, THIRD]);
  assert.ok(parleyCommit, "Parley also offers a commit");
  const daveyResult = davey.processProposals(
    ProposalsOperationType.APPEND,
    Buffer.from(TestGateway.vector([addThird])),
    [PARLEY, THIRD],
  );
  assert.ok(daveyResult.commit && daveyResult.welcome);
  davey.processCommit(daveyResult.commit);
  const seen = await parley.processCommit(daveyResult.commit);
  assert.ok(seen.kind === "roster", seen.kind === "roster" ? "" : seen.reason);
  assert.deepEqual([...seen.roster.keys()], [THIRD]);
  const joined = await third.processWelcome(daveyResult.welcome, [PARLEY, DAVEY]);
  assert.ok(joined, "the third member joins by davey's Welcome");
  assert.equal(davey.epoch, 2n);
  for (const s of [parley, third])
    assert.equal(hex(s.lastEpochAuthenticator), hex(davey.getEpochAuthenticator()));
  assert.equal(voicePrivacyCode(parley.lastEpochAuthenticator), davey.voicePrivacyCode);
  assert.equal(
    verificationCode(await parley.getPairwiseFingerprint(0, DAVEY)),
    await davey.getVerificationCode(PARLEY),
  );
  // The gateway removes davey; Parley commits the removal and the other Parley member follows.
  const removeDavey = await gateway.proposal(2n, { remove: davey.ownLeafIndex as number });
  const removal = await parley.processProposals(TestGateway.append([removeDavey]), [THIRD]);
  await third.processProposals(TestGateway.append([removeDavey]), [PARLEY]);
  assert.ok(removal);
  const afterRemoval = await parley.processCommit(removal.commit);
  const thirdSees = await third.processCommit(removal.commit);
  assert.ok(afterRemoval.kind === "roster" && thirdSees.kind === "roster");
  assert.deepEqual(
    [...thirdSees.roster.entries()].map(([u, k]) => [u, k.length]),
    [[DAVEY, 0]],
  );
  assert.equal(hex(third.lastEpochAuthenticator), hex(parley.lastEpochAuthenticator));
});

test("Parley joins a davey-created group by Welcome and follows davey's commits", async () => {
  const gateway = await TestGateway.create(CHANNEL);
  const davey = daveySession(gateway, DAVEY);
  const parley = await parleySession(gateway, PARLEY);

  const addParley = await gateway.proposal(0n, { add: parley.getMarshalledKeyPackage() });
  const result = davey.processProposals(
    ProposalsOperationType.APPEND,
    Buffer.from(TestGateway.vector([addParley])),
    [PARLEY],
  );
  assert.ok(result.commit && result.welcome);
  davey.processCommit(result.commit);
  const joined = await parley.processWelcome(result.welcome, [DAVEY]);
  assert.ok(joined);
  assert.deepEqual([...joined.roster.keys()].sort(), [DAVEY, PARLEY].sort());
  assert.equal(hex(parley.lastEpochAuthenticator), hex(davey.getEpochAuthenticator()));

  // Media both ways: each side decrypts the other's Opus and video frames.
  const decryptor = new Decryptor();
  decryptor.transitionToKeyRatchet(await parley.getKeyRatchet(DAVEY));
  const opus = Buffer.from(Array.from({ length: 120 }, (_, i) => (i * 13) & 0xff));
  const fromDavey = decryptor.decrypt("audio", davey.encryptOpus(opus));
  assert.ok(fromDavey.ok && !fromDavey.passthrough, "Parley decrypts davey's Opus frame");
  assert.deepEqual(Buffer.from(fromDavey.frame), opus);
  const video = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7) & 0xfe));
  const daveyVideo = decryptor.decrypt("video", davey.encrypt(MediaType.VIDEO, Codec.VP8, video));
  assert.ok(daveyVideo.ok, "Parley decrypts davey's VP8 frame");
  assert.deepEqual(Buffer.from(daveyVideo.frame), video);

  const encryptor = new Encryptor();
  encryptor.setKeyRatchet(await parley.getKeyRatchet(PARLEY));
  encryptor.assignSsrcToCodec(2, "vp8");
  const sealed = encryptor.encrypt("audio", 1, opus);
  assert.ok(sealed.ok);
  assert.deepEqual(
    davey.decrypt(PARLEY, MediaType.AUDIO, Buffer.from(sealed.frame)),
    opus,
    "davey decrypts Parley's Opus",
  );
  const sealedVideo = encryptor.encrypt("video", 2, video);
  assert.ok(sealedVideo.ok);
  assert.deepEqual(davey.decrypt(PARLEY, MediaType.VIDEO, Buffer.from(sealedVideo.frame)), video, "and VP8");

  // The rewriting codecs: the decrypted frame is the normalized one on both sides.
  const h264 = Buffer.from([
    0,
    0,
    1,
    0x67,
    0x42,
    0xc0,
    0x1f,
    0,
    0,
    1,
    0x65,
    0x88,
    0x80,
    ...video.subarray(0, 500),
  ]);
  const h265 = Buffer.from([0, 0, 0, 1, 0x40, 0x01, 0x0c, 0, 0, 1, 0x26, 0x01, ...video.subarray(0, 500)]);
  const av1 = Buffer.from([0x12, 0x00, 0x0a, 0x03, 1, 2, 3, 0x32, 0x04, 9, 8, 7, 6]);
  const cases = [
    ["h264", Codec.H264, h264, 3],
    ["h265", Codec.H265, h265, 4],
    ["av1", Codec.AV1, av1, 5],
  ] as const;
  for (const [codec, daveyCodec, frame, ssrc] of cases) {
    const fromDaveyFrame = decryptor.decrypt("video", davey.encrypt(MediaType.VIDEO, daveyCodec, frame));
    assert.ok(fromDaveyFrame.ok, `Parley decrypts davey's ${codec} frame`);
    encryptor.assignSsrcToCodec(ssrc, codec);
    const ours = encryptor.encrypt("video", ssrc, frame);
    assert.ok(ours.ok);
    const daveyOpened = davey.decrypt(PARLEY, MediaType.VIDEO, Buffer.from(ours.frame));
    assert.deepEqual(
      new Uint8Array(daveyOpened),
      fromDaveyFrame.frame,
      `both sides normalize ${codec} alike`,
    );
  }
});
