import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { WAIT_TIMEOUT_MS } from "@parley/testkit";
import { DEFAULT_PAYLOAD_LIMITS, startVoiceGateway } from "../src/index.js";
import { TestGateway, until } from "./helpers/member.js";
import { RawClient } from "./helpers/rawClient.js";

const CALL = "5";
let nextUser = 500_000_000_000_000_001n;
const newUser = () => (nextUser++).toString();

/** `{op, d}` as JSON padded with spaces to exactly `bytes` bytes. */
function jsonOf(op: number, d: unknown, bytes: number): string {
  const json = JSON.stringify({ op, d });
  assert.ok(json.length <= bytes, `${json.length} > ${bytes}`);
  return `${json.slice(0, -1)}${" ".repeat(bytes - json.length)}}`;
}

/** A binary frame of op `op`, exactly `bytes` bytes long (the op byte included). */
const binaryOf = (op: number, bytes: number) => new Uint8Array(bytes).fill(0x5a).fill(op, 0, 1);

async function start(t: TestContext, options = {}) {
  return TestGateway.start(t, { identifyTimeoutMs: WAIT_TIMEOUT_MS, ...options });
}

/** How the gateway took the inputs logged since `from`: "handled" or the refusal's code. */
function outcomesSince(gateway: TestGateway, from: number): string[] {
  return gateway.logs
    .slice(from)
    .flatMap((l) =>
      l.msg === "op handled" ? ["handled"] : l.msg === "input refused" ? [String(l.code)] : [],
    );
}

/**
 * `atLimit` is taken (the client stays connected, nothing refused it as oversized); the same one byte longer
 * closes a new client with 4101, says why, and the call no longer lists it.
 */
async function limitHolds(
  gateway: TestGateway,
  atLimit: (bytes: number) => string | Uint8Array,
  limit: number,
): Promise<void> {
  const client = await RawClient.identified(gateway, newUser(), CALL);
  const from = gateway.logs.length;
  client.ws.send(atLimit(limit));
  await client.roundTrip(1);
  assert.ok(!outcomesSince(gateway, from).includes("oversized"), `${limit} bytes refused as oversized`);

  const userId = newUser();
  const over = await RawClient.identified(gateway, userId, CALL);
  over.ws.send(atLimit(limit + 1));
  const { code, reason } = await over.closed();
  assert.equal(code, 4101);
  assert.match(reason, new RegExp(`of ${limit + 1} bytes is over the ${limit}-byte limit`));
  await until(() => !gateway.inspect(CALL)?.participants.includes(userId), "the call to drop it");
  client.ws.close();
}

test("text ops: at their limit taken, one byte over closes with 4101", async (t) => {
  const gateway = await start(t);
  const limits = DEFAULT_PAYLOAD_LIMITS;
  await limitHolds(gateway, (n) => jsonOf(3, 7, n), limits.heartbeat);
  await limitHolds(gateway, (n) => jsonOf(23, { transition_id: 1 }, n), limits.readyForTransition);
  await limitHolds(gateway, (n) => jsonOf(31, { transition_id: 1 }, n), limits.invalidCommitWelcome);
  await limitHolds(gateway, (n) => jsonOf(99, {}, n), limits.text);

  // identify, before which any refusal closes: at its limit it is answered with op 4.
  const first = await RawClient.open(gateway);
  first.ws.send(jsonOf(0, { user_id: newUser(), channel_id: CALL }, limits.identify));
  await first.until((f) => f.kind === "json" && f.op === 4, "op 4");
  const second = await RawClient.open(gateway);
  second.ws.send(jsonOf(0, { user_id: newUser(), channel_id: CALL }, limits.identify + 1));
  assert.equal((await second.closed()).code, 4101);
});

test("an oversized text frame is refused before it is parsed", async (t) => {
  const gateway = await start(t);
  const client = await RawClient.identified(gateway, newUser(), CALL);
  const from = gateway.logs.length;
  // Parsed first, this would be refused as malformed and the identified client kept.
  client.ws.send(`{${"x".repeat(DEFAULT_PAYLOAD_LIMITS.text)}`);
  const { code, reason } = await client.closed();
  assert.equal(code, 4101);
  assert.match(reason, /^text frame of 4097 bytes is over the 4096-byte limit$/);
  assert.deepEqual(outcomesSince(gateway, from), ["oversized"]);
});

test("binary ops: key package, commit, media and any other op at their limit taken, one over closes", async (t) => {
  const gateway = await start(t);
  const limits = DEFAULT_PAYLOAD_LIMITS;
  await limitHolds(gateway, (n) => binaryOf(26, n), limits.keyPackage);
  await limitHolds(gateway, (n) => binaryOf(28, n), limits.commitWelcome);
  await limitHolds(gateway, (n) => binaryOf(99, n), limits.binary);
  await limitHolds(gateway, (n) => binaryOf(200, n), limits.binary);

  // A media frame at the limit is relayed whole.
  const sender = await RawClient.identified(gateway, newUser(), CALL);
  const receiver = await RawClient.identified(gateway, newUser(), CALL);
  sender.ws.send(binaryOf(200, limits.binary));
  const relayed = await receiver.until((f) => f.kind === "binary" && f.op === 201, "the relayed frame");
  assert.equal(relayed.kind === "binary" && relayed.payload.length, limits.binary - 1 + 8);

  // What no limit allows is cut by the WebSocket layer itself (1009) before the gateway reads it.
  const huge = await RawClient.identified(gateway, newUser(), CALL);
  huge.ws.send(binaryOf(28, 2 * limits.commitWelcome));
  assert.equal((await huge.closed()).code, 1009);
  await receiver.roundTrip(2);
});

test("payloadLimits overrides only the limits it names; bad limits are refused at start", async (t) => {
  const gateway = await start(t, { payloadLimits: { heartbeat: 100, binary: 2000 } });
  await limitHolds(gateway, (n) => jsonOf(3, 7, n), 100);
  await limitHolds(gateway, (n) => binaryOf(200, n), 2000);
  await limitHolds(gateway, (n) => jsonOf(23, { transition_id: 1 }, n), 1024);
  await limitHolds(gateway, (n) => binaryOf(26, n), 16 * 1024);

  // A text op's limit above `text` raises the bound checked before parsing, for that op only.
  const large = await start(t, { payloadLimits: { identify: 8000 } });
  const first = await RawClient.open(large);
  first.ws.send(jsonOf(0, { user_id: newUser(), channel_id: CALL }, 8000));
  await first.until((f) => f.kind === "json" && f.op === 4, "op 4 for an 8000-byte identify");
  await limitHolds(large, (n) => jsonOf(99, {}, n), 4096);
  const unparsed = await RawClient.identified(large, newUser(), CALL);
  unparsed.ws.send(`{${"x".repeat(8000)}`);
  assert.match((await unparsed.closed()).reason, /^text frame of 8001 bytes is over the 8000-byte limit$/);

  for (const options of [
    { payloadLimits: { text: 0 } },
    { payloadLimits: { keyPackage: 1.5 } },
    { maxSendBufferBytes: -1 },
    { closeGraceMs: 0 },
  ]) {
    await assert.rejects(startVoiceGateway({ logLevel: "silent", ...options }), RangeError);
  }
});

test("heartbeat d: a number, {t, seq_ack} or null is echoed; anything else is refused", async (t) => {
  const gateway = await start(t);
  const client = await RawClient.identified(gateway, newUser(), CALL);
  const from = gateway.logs.length;
  const good = [5, 1.5, { t: 1501184119561, seq_ack: 10 }, { t: 3 }, { t: 4, seq_ack: -1 }, null];
  const bad = ["x", true, [1], {}, { t: "1" }, { t: 1, seq_ack: 1.5 }, { t: 1, seq_ack: -2 }, { t: 1, x: 2 }];
  for (const d of [...good, ...bad]) client.ws.send(JSON.stringify({ op: 3, d }));
  client.ws.send(JSON.stringify({ op: 3 })); // no d: echoed as null
  await client.roundTrip(99);
  const acks = client.received
    .filter((f) => f.kind === "json" && f.op === 6)
    .map((f) => f.kind === "json" && f.d);
  assert.deepEqual(acks, [...good, null, 99]);
  assert.deepEqual(
    outcomesSince(gateway, from).filter((o) => o !== "handled"),
    bad.map(() => "malformed"),
  );
  assert.equal(client.close, undefined, "an identified client is not cut off for a bad heartbeat");
});
