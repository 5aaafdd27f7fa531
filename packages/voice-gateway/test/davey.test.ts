import assert from "node:assert/strict";
import { test } from "node:test";
import { Decryptor, Encryptor } from "@parley/dave";
import { testRandom, WAIT_TIMEOUT_MS } from "@parley/testkit";
import { RelayCodec, VoiceGatewayClient } from "../src/index.js";
import { attachMember } from "./helpers/call.js";
import { CHANNEL, changes, TestGateway, until } from "./helpers/member.js";

const PARLEY_A = "800000000000000001";
const DAVEY = "800000000000000002";
const PARLEY_B = "800000000000000003";

test("a @snazzah/davey member and Parley members share a call through the gateway", async (t) => {
  const random = testRandom(t);
  const gateway = await TestGateway.start(t);
  const a = await gateway.join(PARLEY_A);
  const daveyClient = await VoiceGatewayClient.connect(gateway.url, DAVEY, {
    maxDaveProtocolVersion: 1,
    channelId: CHANNEL,
    timeoutMs: WAIT_TIMEOUT_MS,
  });
  gateway.onClose(() => daveyClient.close());
  const davey = attachMember("davey", daveyClient, 5);
  const daveyMedia: Uint8Array[] = [];
  daveyClient.on("media", (_userId, _ssrc, _codec, frame) => {
    daveyMedia.push(frame);
    changes.notify();
  });
  await until(
    () => a.epoch === 1n && davey.epoch === 1n && a.authenticator === davey.authenticator,
    "epoch 1",
  );

  const b = await gateway.join(PARLEY_B);
  await until(
    () => [a.epoch, b.epoch, davey.epoch].every((e) => e === 2n) && a.authenticator === davey.authenticator,
    "epoch 2 with davey",
  );
  assert.equal(b.authenticator, davey.authenticator);
  assert.deepEqual(davey.failures, []);

  // davey → Parley: an Opus frame encrypted by davey, relayed, decrypted by @parley/dave.
  const opus = random.bytes(80);
  await until(() => davey.seal(opus).ok, "davey ready to encrypt");
  const fromDavey = davey.seal(opus);
  assert.ok(fromDavey.ok);
  davey.client.sendMedia(davey.ssrc, RelayCodec.opus, fromDavey.frame);
  await until(() => a.media.length === 1, "davey's frame at A");
  const decryptor = new Decryptor();
  decryptor.transitionToKeyRatchet(await a.session.getKeyRatchet(DAVEY));
  const opened = decryptor.decrypt("audio", a.media[0]?.frame ?? new Uint8Array());
  assert.ok(opened.ok);
  assert.deepEqual(Buffer.from(opened.frame), opus);

  // Parley → davey.
  const encryptor = new Encryptor();
  encryptor.setKeyRatchet(await b.session.getKeyRatchet(PARLEY_B));
  encryptor.assignSsrcToCodec(9, "opus");
  const sealed = encryptor.encrypt("audio", 9, opus);
  assert.ok(sealed.ok);
  b.client.sendMedia(9, RelayCodec.opus, sealed.frame);
  await until(() => daveyMedia.length === 1, "B's frame at davey");
  const plain = davey.open(PARLEY_B, daveyMedia[0] ?? new Uint8Array());
  assert.ok(plain.ok);
  assert.deepEqual(Buffer.from(plain.frame), opus);

  // davey leaves; the Parley members remove it and carry on.
  await daveyClient.close();
  await until(
    () => a.epoch === 3n && b.epoch === 3n && a.authenticator === b.authenticator,
    "epoch 3 without davey",
  );
});
