import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { WAIT_TIMEOUT_MS } from "@parley/testkit";
import { RelayCodec } from "../src/index.js";
import { TestGateway, type TestMember, until } from "./helpers/member.js";
import { RawClient } from "./helpers/rawClient.js";

const CALL = "927310423890473011";
const SENDER = "600000000000000001";
const READER = "600000000000000002";
const SLOW = "600000000000000003";
const LIMIT = 1024 * 1024;
/**
 * More frames (60 MB) than the kernel's socket buffers (Linux allows at most 4 MiB sending + 32 MiB receiving by
 * default, and a receiver that never reads stays far below that) and the limit together could hold.
 */
const MAX_FRAMES = 300;
const FRAME = new Uint8Array(200 * 1024).fill(0x33);

/** A call of a sender, a reader and a client that stops reading, none with DAVE (no MLS in the way). */
async function callWithSlowClient(t: TestContext, closeGraceMs: number) {
  const gateway = await TestGateway.start(t, { maxSendBufferBytes: LIMIT, closeGraceMs });
  const sender = await gateway.join(SENDER, { maxDaveProtocolVersion: 0 });
  const reader = await gateway.join(READER, { maxDaveProtocolVersion: 0 });
  const slow = await RawClient.identified(gateway, SLOW, CALL);
  slow.pause();
  return { gateway, sender, reader, slow };
}

const fullLine = (gateway: TestGateway) =>
  gateway.logs.find((l) => l.event === "send-buffer-full" && l.userId === SLOW);

/** Relay large frames, each once the reader has it, until the gateway gives up on the slow client. */
async function flood(gateway: TestGateway, sender: TestMember, reader: TestMember): Promise<number> {
  let sent = 0;
  while (!fullLine(gateway)) {
    assert.ok(sent < MAX_FRAMES, `the slow client was still served after ${sent} frames`);
    sender.client.sendMedia(1, RelayCodec.unknown, FRAME);
    sent++;
    await until(() => reader.media.length === sent, `frame ${sent} at the reader`);
  }
  return sent;
}

/** The call goes on without the slow client: it was told, and a new frame still reaches the reader. */
async function othersUnaffected(gateway: TestGateway, sender: TestMember, reader: TestMember) {
  await until(() => !gateway.inspect(CALL)?.participants.includes(SLOW), "the call to drop the slow client");
  assert.deepEqual([...(gateway.inspect(CALL)?.participants ?? [])].sort(), [SENDER, READER]);
  await until(
    () => reader.received.some((m) => m.op === 13 && (m as { d?: { user_id?: string } }).d?.user_id === SLOW),
    "op 13 for the slow client",
  );
  const before = reader.media.length;
  sender.client.sendMedia(2, RelayCodec.opus, Uint8Array.of(1, 2, 3));
  await until(() => reader.media.length === before + 1, "a frame after the slow client left");
  assert.ok(sender.client.open && reader.client.open);
}

test("a client that stops reading is dropped at the send-buffer limit; it then gets 4100", async (t) => {
  const { gateway, sender, reader, slow } = await callWithSlowClient(t, WAIT_TIMEOUT_MS);
  const frames = await flood(gateway, sender, reader);
  const full = fullLine(gateway) as { buffered: number; bytes: number };
  assert.ok(full.buffered <= LIMIT && full.buffered + full.bytes > LIMIT, JSON.stringify(full));
  t.diagnostic(`dropped after ${frames} frames of ${FRAME.length} bytes (${full.buffered} bytes buffered)`);

  // Released at once, while its socket is still open and unread.
  await othersUnaffected(gateway, sender, reader);
  assert.equal(slow.close, undefined);

  // Reading again, it gets what was buffered and then the close frame.
  slow.resume();
  const { code, reason } = await slow.closed();
  assert.equal(code, 4100);
  assert.match(reason, /send buffer full/);
});

test("a client that never reads again is cut after closeGraceMs", async (t) => {
  const { gateway, sender, reader, slow } = await callWithSlowClient(t, 200);
  await flood(gateway, sender, reader);
  await othersUnaffected(gateway, sender, reader);
  // No closing handshake ever comes back: the gateway's side ends without one (1006) once the grace is over.
  await until(
    () => gateway.logs.some((l) => l.event === "closed" && l.userId === SLOW),
    "the gateway to cut the slow socket",
  );
  const closed = gateway.logs.find((l) => l.event === "closed" && l.userId === SLOW);
  assert.equal(closed?.code, 1006);
  assert.equal(slow.close, undefined, "the paused client has read nothing, the close frame neither");
});
