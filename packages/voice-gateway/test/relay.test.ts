import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { Decryptor, Encryptor } from "@parley/dave";
import { testRandom } from "@parley/testkit";
import { RelayCodec } from "../src/index.js";
import { TestGateway, type TestMember, until } from "./helpers/member.js";

const A = "700000000000000001";
const B = "700000000000000002";
const C = "700000000000000003";

/** A call of `ids` on a gateway with the default limits (media frames up to 256 KiB). */
async function call(t: TestContext, ids: readonly string[]) {
  const gateway = await TestGateway.start(t);
  return { gateway, members: await gateway.joinInTurn(ids) };
}

test("media frames reach every other member unchanged, tagged with the sender", async (t) => {
  const random = testRandom(t);
  const { members } = await call(t, [A, B, C]);
  const [a, b, c] = members as [TestMember, TestMember, TestMember];
  const frames = [random.bytes(120), new Uint8Array(0), random.bytes(200_000)];
  for (const frame of frames) a.client.sendMedia(0xfeedbeef, RelayCodec.opus, frame);
  b.client.sendMedia(7, RelayCodec.vp8, Uint8Array.of(1, 2, 3));
  await until(() => b.media.length === 3 && c.media.length === 4 && a.media.length === 1, "relayed frames");
  for (const [i, frame] of frames.entries()) {
    for (const m of [b, c]) {
      const got = m.media.filter((x) => x.userId === A)[i];
      assert.equal(got?.userId, A);
      assert.equal(got?.ssrc, 0xfeedbeef);
      assert.equal(got?.codec, RelayCodec.opus);
      assert.deepEqual(Buffer.from(got?.frame ?? []), Buffer.from(frame));
    }
  }
  assert.deepEqual(a.media[0], { userId: B, ssrc: 7, codec: RelayCodec.vp8, frame: Uint8Array.of(1, 2, 3) });
  assert.ok(!a.media.some((m) => m.userId === A), "no echo to the sender");
});

test("end to end: a DAVE-encrypted Opus frame relayed by the gateway decrypts at the receivers", async (t) => {
  const random = testRandom(t);
  const { members } = await call(t, [A, B, C]);
  const [a, b, c] = members as [TestMember, TestMember, TestMember];
  const encryptor = new Encryptor();
  encryptor.setKeyRatchet(await a.session.getKeyRatchet(A));
  encryptor.assignSsrcToCodec(42, "opus");
  const opus = random.bytes(90);
  const sealed = encryptor.encrypt("audio", 42, opus);
  assert.ok(sealed.ok);
  a.client.sendMedia(42, RelayCodec.opus, sealed.frame);
  await until(() => b.media.length === 1 && c.media.length === 1, "the encrypted frame");
  for (const m of [b, c]) {
    const decryptor = new Decryptor();
    decryptor.transitionToKeyRatchet(await m.session.getKeyRatchet(A));
    const got = m.media.at(-1);
    assert.equal(got?.userId, A);
    const opened = decryptor.decrypt("audio", got?.frame ?? new Uint8Array());
    assert.ok(opened.ok, "decrypts");
    assert.deepEqual(Buffer.from(opened.frame), opus);
  }
});

test("a frame over the size limit closes only the sender's connection", async (t) => {
  const { gateway, members } = await call(t, [A, B]);
  const extra = await gateway.join("700000000000000009", { maxDaveProtocolVersion: 1 });
  const closed = new Promise<number>((resolve) => extra.client.on("close", (code) => resolve(code)));
  extra.client.sendMedia(1, RelayCodec.unknown, new Uint8Array(300 * 1024));
  assert.equal(await closed, 4101);
  const [a, b] = members as [TestMember, TestMember];
  a.client.sendMedia(1, RelayCodec.opus, Uint8Array.of(9));
  await until(() => b.media.length === 1, "the relay still works");
});
