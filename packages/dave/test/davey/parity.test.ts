import assert from "node:assert/strict";
import { test } from "node:test";
import * as davey from "@snazzah/davey";
import * as parley from "../../src/index.js";
import { TestGateway } from "../session/testGateway.js";
import { asyncOutcome, CHANNEL, type Dave, KINDS, type Kind, type Outcome, outcome } from "./parties.js";

/*
 * Twin runs: the same script of calls (in order, misuse included) on Parley's facade and on davey, each in its own
 * group with its own gateway. Every outcome (value shape, or error message, napi code and sync/async) and every
 * getter after every step must match. Fixed key pairs make fingerprints and verification codes comparable too.
 */

/** The davey module's shape: the facade's package root has to fit it for this file to compile. */
type DaveyModule = Pick<
  typeof davey,
  | "DAVESession"
  | "generateDisplayableCode"
  | "generateKeyFingerprint"
  | "generatePairwiseFingerprint"
  | "generateP256Keypair"
>;
const modules: Record<Kind, DaveyModule> = { parley, davey };

const A = "158049329150427136";
const B = "158533742254751744";
const STRANGER = "158533742254751999";
const keyPairA = davey.generateP256Keypair();
const keyPairB = davey.generateP256Keypair();
const opus = Buffer.from("an opus frame, 30 bytes long..");
const silence = Buffer.from([0xf8, 0xff, 0xfe]);

/** How much of an error message must match: all of it, or the operation's prefix when the reason is MLS detail. */
const exact = (m: string) => m;
const prefix = (m: string) => m.slice(0, m.indexOf(": ") + 1);
const beforeDetail = (m: string) => m.split(" {")[0] as string;

function shape(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return "Buffer";
  if (value instanceof Uint8Array) return "Uint8Array";
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([k, v]) => [k, k === "duration" ? typeof v : shape(v)]),
    );
  }
  return value;
}

function normalize(result: Outcome, detail: (m: string) => string) {
  return result.ok ? { value: shape(result.value) } : { ...result, message: detail(result.message) };
}

function observe(session: Dave) {
  return {
    status: session.status,
    ready: session.ready,
    epoch: session.epoch,
    ownLeafIndex: session.ownLeafIndex,
    userIds: session.getUserIds(),
    authenticator: session.getEpochAuthenticator()?.length ?? null,
    privacyCode: session.voicePrivacyCode.length,
    string: String(session),
  };
}

async function run(kind: Kind): Promise<unknown[]> {
  const lib = modules[kind];
  const gateway = await TestGateway.create(CHANNEL);
  const externalSender = Buffer.from(gateway.externalSender);
  const trace: unknown[] = [];
  let a: Dave | undefined;
  let b: Dave | undefined;
  const step = (name: string, call: () => unknown, detail = exact) => {
    const result = outcome(call);
    trace.push({ name, ...normalize(result, detail), a: a && observe(a), b: b && observe(b) });
    return result.ok ? result.value : undefined;
  };
  const later = async (name: string, call: () => Promise<unknown>, detail = exact) => {
    const result = await asyncOutcome(call);
    trace.push({ name, ...normalize(result, detail) });
  };
  const wrong = (value: unknown) => value as never;

  step("version 0", () => new lib.DAVESession(0, A, CHANNEL));
  step("version 2", () => new lib.DAVESession(2, A, CHANNEL));
  step("version 70000", () => new lib.DAVESession(70000, A, CHANNEL));
  step("version as string", () => new lib.DAVESession(wrong("1"), A, CHANNEL));
  step("user id not a number", () => new lib.DAVESession(1, "abc", CHANNEL));
  step("user id a number", () => new lib.DAVESession(1, wrong(123), CHANNEL));
  step("user id too big", () => new lib.DAVESession(1, "18446744073709551616", CHANNEL));
  step("channel id empty", () => new lib.DAVESession(1, A, ""));
  step("key pair without fields", () => new lib.DAVESession(1, A, CHANNEL, wrong({})));
  step("user id with + and zeros", () => new lib.DAVESession(1, "+0012", CHANNEL).userId);
  a = new lib.DAVESession(1, A, CHANNEL, keyPairA);
  b = new lib.DAVESession(1, B, CHANNEL, keyPairB);
  const [sa, sb] = [a, b];

  step("proposals before op 25", () =>
    sa.processProposals(davey.ProposalsOperationType.APPEND, Buffer.of(0)),
  );
  step("commit before op 25", () => sa.processCommit(Buffer.of(0, 1)));
  step("welcome before op 25", () => sa.processWelcome(Buffer.of(0, 1)));
  step("encrypt before ready", () => sa.encryptOpus(opus));
  step("encrypt silence before ready", () => sa.encryptOpus(silence));
  step("encrypt unknown codec", () => sa.encrypt(davey.MediaType.VIDEO, wrong(9), opus));
  step("encrypt media as string", () => sa.encrypt(wrong("0"), davey.Codec.OPUS, opus));
  step("decrypt without decryptor", () => sa.decrypt(B, davey.MediaType.AUDIO, opus));
  step("decrypt bad user id", () => sa.decrypt("x", davey.MediaType.AUDIO, opus));
  step("encryption stats", () => sa.getEncryptionStats());
  step("encryption stats video", () => sa.getEncryptionStats(davey.MediaType.VIDEO));
  step("encryption stats bad media", () => sa.getEncryptionStats(wrong(7)));
  step("decryption stats without decryptor", () => sa.getDecryptionStats(B));
  step("can passthrough without decryptor", () => sa.canPassthrough(B));
  step("passthrough without decryptors", () => sa.setPassthroughMode(true));
  await later("verification code before a group", () => sa.getVerificationCode(B));
  await later("verification code bad user id", () => sa.getVerificationCode("x"));
  await later("verification code user id a number", () => sa.getVerificationCode(wrong(5)));
  await later("fingerprint version 70000", () => sa.getPairwiseFingerprint(70000, B));
  step("key package before op 25", () => sa.getSerializedKeyPackage());
  const keyPackageB = step("key package of B", () => sb.getSerializedKeyPackage()) as Buffer;
  step("op 25 garbage", () => sa.setExternalSender(Buffer.of(1, 2, 3)), prefix);
  step(
    "op 25 trailing byte",
    () => sa.setExternalSender(Buffer.concat([externalSender, Buffer.of(0)])),
    prefix,
  );
  step("op 25 as string", () => sa.setExternalSender(wrong("abc")));
  step("op 25", () => sa.setExternalSender(externalSender));
  step("op 25 for B", () => sb.setExternalSender(externalSender));
  step("op 25 again while pending", () => sa.setExternalSender(externalSender));
  step("commit while pending", () => sa.processCommit(Buffer.of(0, 1)));
  step(
    "proposals garbage",
    () => sa.processProposals(davey.ProposalsOperationType.APPEND, Buffer.of(5, 1, 2)),
    prefix,
  );
  step("proposals empty append", () =>
    sa.processProposals(davey.ProposalsOperationType.APPEND, Buffer.of(0)),
  );
  step("proposals empty revoke", () =>
    sa.processProposals(davey.ProposalsOperationType.REVOKE, Buffer.of(0)),
  );
  step("proposals operation 2", () => sa.processProposals(wrong(2), Buffer.of(0)));
  step("proposals bad recognized id", () => sa.processProposals(0, Buffer.of(0), ["x"]));
  step("proposals recognized not an array", () => sa.processProposals(0, Buffer.of(0), wrong("abc")));
  step("welcome garbage", () => sa.processWelcome(Buffer.of(0, 1, 2)), prefix);
  const addB = Buffer.from(TestGateway.vector([await gateway.proposal(0n, { add: keyPackageB })]));
  step("add of an unrecognized user", () => sa.processProposals(0, addB, [STRANGER]), prefix);
  const { commit, welcome } = step("add", () => sa.processProposals(0, addB, [B])) as {
    commit: Buffer;
    welcome: Buffer;
  };
  step("commit while B is pending", () => sb.processCommit(commit));
  step("own commit", () => sa.processCommit(commit));
  step("own commit twice", () => sa.processCommit(commit), prefix);
  step("welcome", () => sb.processWelcome(welcome));
  step("welcome twice", () => sb.processWelcome(welcome));
  step("op 25 when in the group", () => sb.setExternalSender(externalSender));
  step("key package when in the group", () => sb.getSerializedKeyPackage());

  const sealed = step("encrypt", () => sa.encryptOpus(opus)) as Buffer;
  step("decrypt", () => sb.decrypt(A, davey.MediaType.AUDIO, sealed).equals(opus));
  step("decrypt a replay", () => sb.decrypt(A, davey.MediaType.AUDIO, sealed), beforeDetail);
  step("decrypt a plain frame", () => sb.decrypt(A, davey.MediaType.AUDIO, Buffer.of(1, 2, 3, 4)));
  step("decrypt from a stranger", () => sb.decrypt(STRANGER, davey.MediaType.AUDIO, sealed));
  step("decrypt own frame", () => sb.decrypt(B, davey.MediaType.AUDIO, sealed));
  step("decrypt silence as video", () => sb.decrypt(A, davey.MediaType.VIDEO, silence).equals(silence));
  step("encrypt silence", () => sa.encryptOpus(silence).equals(silence));
  step("encrypt an empty frame", () => sa.encryptOpus(Buffer.alloc(0)).length);
  step("encrypt VP8", () => sa.encrypt(davey.MediaType.VIDEO, davey.Codec.VP8, opus).length);
  step("encryption stats after", () => sa.getEncryptionStats());
  step("decryption stats after", () => sb.getDecryptionStats(A));
  step("decryption stats video", () => sb.getDecryptionStats(A, davey.MediaType.VIDEO));
  step("can passthrough", () => sb.canPassthrough(A));
  step("passthrough on", () => sb.setPassthroughMode(true));
  step("can passthrough now", () => sb.canPassthrough(A));
  step("plain frame passes", () => sb.decrypt(A, davey.MediaType.AUDIO, Buffer.of(1, 2, 3, 4)).length);
  step("passthrough counted", () => sb.getDecryptionStats(A));
  step("passthrough off at once", () => sb.setPassthroughMode(false, 0));
  step("can passthrough after", () => sb.canPassthrough(A));
  step("passthrough mode as string", () => sb.setPassthroughMode(wrong("yes")));
  await later("verification code", () => sa.getVerificationCode(B));
  await later("verification code the other way", () => sb.getVerificationCode(A));
  await later("verification code of a stranger", () => sa.getVerificationCode(STRANGER));
  await later("fingerprint version 1", () => sa.getPairwiseFingerprint(1, B));
  await later("fingerprint", async () => (await sa.getPairwiseFingerprint(0, B)).toString("hex"));

  step("reset", () => sa.reset());
  step("encrypt after reset", () => sb.decrypt(A, davey.MediaType.AUDIO, sa.encryptOpus(opus)).equals(opus));
  step("decrypt after reset", () => sa.decrypt(B, davey.MediaType.AUDIO, sb.encryptOpus(opus)).equals(opus));
  step("proposals after reset", () => sa.processProposals(0, Buffer.of(0)));
  step("key package after reset", () => sa.getSerializedKeyPackage());
  step("op 25 after reset", () => sa.setExternalSender(externalSender));
  step("reinit version 0", () => sb.reinit(0, B, CHANNEL));
  step("reinit version 2", () => sb.reinit(2, B, CHANNEL));
  step("reinit", () => sb.reinit(1, B, CHANNEL, keyPairB));
  step("encrypt after reinit", () => sb.encryptOpus(opus));
  step("decrypt after reinit", () => sb.decrypt(A, davey.MediaType.AUDIO, sealed));
  step("reinit as another user", () => sb.reinit(1, STRANGER, CHANNEL));

  step("displayable code", () => lib.generateDisplayableCode(Buffer.alloc(10, 7), 10, 5));
  step("displayable code, short data", () => lib.generateDisplayableCode(Buffer.alloc(4), 10, 5));
  step("displayable code, uneven groups", () => lib.generateDisplayableCode(Buffer.alloc(20), 11, 5));
  step("displayable code, group 0", () => lib.generateDisplayableCode(Buffer.alloc(20), 10, 0));
  step("displayable code, group 9", () => lib.generateDisplayableCode(Buffer.alloc(20), 18, 9));
  step("displayable code, group 8", () => lib.generateDisplayableCode(Buffer.alloc(20, 255), 16, 8));
  step("displayable code, length 0", () => lib.generateDisplayableCode(Buffer.alloc(20), 0, 5));
  step("key fingerprint", () => lib.generateKeyFingerprint(0, keyPairA.public, A).toString("hex"));
  step("key fingerprint version 1", () => lib.generateKeyFingerprint(1, keyPairA.public, A));
  step("key fingerprint bad user id", () => lib.generateKeyFingerprint(0, keyPairA.public, "x"));
  step("key fingerprint empty key", () => lib.generateKeyFingerprint(0, Buffer.alloc(0), A));
  await later("pairwise fingerprint", async () =>
    (await lib.generatePairwiseFingerprint(0, keyPairA.public, A, keyPairB.public, B)).toString("hex"),
  );
  await later("pairwise fingerprint version 1", () =>
    lib.generatePairwiseFingerprint(1, keyPairA.public, A, keyPairB.public, B),
  );
  await later("pairwise fingerprint bad user id", () =>
    lib.generatePairwiseFingerprint(0, keyPairA.public, "x", keyPairB.public, B),
  );
  step("P-256 key pair", () => {
    const pair = lib.generateP256Keypair();
    return [pair.private.length, pair.public.length, pair.public[0]];
  });
  return trace;
}

test("the facade and davey answer the same script identically, misuse included", async () => {
  const [ours, theirs] = await Promise.all(KINDS.map(run));
  assert.ok(Array.isArray(theirs) && theirs.length > 100);
  for (const [i, entry] of (theirs as unknown[]).entries()) {
    assert.deepEqual((ours as unknown[])[i], entry);
  }
});
