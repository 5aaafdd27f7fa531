import assert from "node:assert/strict";
import { test } from "node:test";
import type { GatewayMessage } from "@parley/dave";
import type { Random } from "@parley/testkit";
import { type Interceptor, startLiveCall, unexpectedFailures, userIdOf } from "../helpers/call.js";
import { changes, until } from "../helpers/member.js";

/**
 * Scenario (e): a member of a live call sprays garbage over its socket: random and truncated commits, stale
 * commits replayed, commits with a garbage Welcome or a forged sender, garbage key packages, proposals and
 * Welcomes sent the wrong way, malformed JSON ops. Its own genuine commits are replaced by broken ones. Joins
 * and leaves go on meanwhile. The call must carry on: every garbage message refused by the gateway, no member
 * disturbed (no op 31, no failure), no frame lost or undecryptable between the members present.
 */

/** The attacker's interceptor: remembers what it saw and replaces each genuine commit by a broken one. */
class Saboteur implements Interceptor {
  constructor(private readonly random: Random) {}

  lastCommit: Uint8Array | undefined;
  lastAnnounced: Uint8Array | undefined;
  lastWelcome: Uint8Array | undefined;
  lastProposals: Uint8Array | undefined;
  lastKeyPackage: Uint8Array | undefined;
  replaced = 0;

  onSendBinary(op: number, payload: Uint8Array, send: (op: number, payload: Uint8Array) => void): void {
    if (op === 26) this.lastKeyPackage = payload;
    if (op !== 28) {
      send(op, payload);
      return;
    }
    this.lastCommit = payload;
    this.replaced++;
    const broken = Buffer.from(payload);
    if (this.replaced % 2 === 0) {
      // The genuine commit with a garbage Welcome after it (or one where none belongs).
      send(op, Buffer.concat([broken, this.random.bytes(64)]));
    } else {
      // The sender's leaf index (after version, wire format, group id, epoch and sender type) changed.
      const at = 2 + 2 + 1 + 8 + 8 + 1;
      broken.writeUInt32BE((broken.readUInt32BE(at) + 1) >>> 0, at);
      send(op, broken);
    }
  }

  onReceive(message: GatewayMessage, deliver: (message: GatewayMessage) => void): void {
    if (message.kind === "binary") {
      if (message.op === 29) this.lastAnnounced = message.payload.subarray(2);
      if (message.op === 30) this.lastWelcome = message.payload.subarray(2);
      if (message.op === 27) this.lastProposals = message.payload;
    }
    deliver(message);
  }
}

/** One garbage message of each kind, in turn; random contents and sizes come from the test's seed. */
function garbage(
  saboteur: Saboteur,
  random: Random,
): Array<[kind: "bin" | "json", op: number, payload: unknown]> {
  const truncate = (b: Uint8Array | undefined) =>
    b ? b.subarray(0, Math.max(1, b.length >> 1)) : random.bytes(9);
  return [
    ["bin", 28, random.bytes(random.int(3000))],
    ["bin", 28, truncate(saboteur.lastCommit)],
    ["bin", 28, saboteur.lastAnnounced ?? random.bytes(200)], // a stale commit replayed
    ["bin", 28, Buffer.concat([saboteur.lastAnnounced ?? random.bytes(200), random.bytes(300)])],
    [
      "bin",
      28,
      Buffer.concat([saboteur.lastAnnounced ?? random.bytes(200), saboteur.lastWelcome ?? random.bytes(9)]),
    ],
    ["bin", 26, random.bytes(random.int(400))],
    ["bin", 26, truncate(saboteur.lastKeyPackage)],
    ["bin", 27, saboteur.lastProposals ?? random.bytes(100)], // proposals sent the wrong way
    ["bin", 27, random.bytes(80)],
    ["bin", 30, Buffer.concat([Buffer.of(0, 1), saboteur.lastWelcome ?? random.bytes(100)])],
    ["bin", 29, Buffer.concat([Buffer.of(0, 1), saboteur.lastAnnounced ?? random.bytes(100)])],
    ["bin", 99, random.bytes(10)],
    ["json", 23, { transition_id: "soon" }],
    ["json", 31, { transition_id: -1 }],
    ["json", 26, { key_package: "AAAA" }],
    ["json", 28, null],
  ];
}

/** Garbage messages sprayed between two steps (about 500 ms' worth at one per 10 ms). */
const SPRAY_PER_STEP = 50;

test("a member sending garbage commits, welcomes and proposals does not disturb the call", async (t) => {
  const call = await startLiveCall(t);
  const { random } = call;
  const saboteur = new Saboteur(random);
  const honest = [userIdOf(5, 0), userIdOf(5, 1), userIdOf(5, 2)];
  for (const id of honest) {
    await call.join(id);
    await call.settled();
  }
  const attacker = await call.join(userIdOf(5, 9), "parley", { interceptor: saboteur });
  await call.settled();
  call.startAudio();

  let sprayed = 0;
  const spray = setInterval(() => {
    const list = garbage(saboteur, random);
    const [kind, op, payload] = list[sprayed++ % list.length] as (typeof list)[number];
    if (kind === "bin") attacker.client.sendBinary(op, payload as Uint8Array);
    else attacker.client.sendJson(op, payload);
    changes.notify();
  }, 10);
  // Counted, not timed: each step of the call takes as much garbage on a loaded machine as on an idle one.
  const pause = async () => {
    const target = sprayed + SPRAY_PER_STEP;
    await until(() => sprayed >= target, `${SPRAY_PER_STEP} garbage messages`);
  };
  try {
    await pause();
    await call.join(userIdOf(5, 3));
    await call.settled();
    await pause();
    await call.leave(honest[1] as string);
    await call.settled();
    await pause();
    await call.join(userIdOf(5, 4));
    await call.settled();
    await pause();
  } finally {
    clearInterval(spray);
  }
  await call.stopAudio();
  call.countLost();

  const c = call.counts;
  const s = call.gateway.inspect();
  t.diagnostic(
    `${call.summary("garbage")}; ${sprayed} garbage messages and ${saboteur.replaced} broken commits sent, ` +
      `gateway refused ${s?.commitsRejected} commits and broadcast ${s?.commitsBroadcast}`,
  );
  assert.ok(saboteur.replaced >= 3, "the attacker's own commits were replaced");
  assert.ok(sprayed > 100);
  assert.deepEqual(unexpectedFailures(call), [], "no member reported a failure");
  assert.deepEqual(call.refusals, [], "no member had to refuse a commit or Welcome (op 31)");
  assert.ok(call.members.has(attacker.userId) && attacker.sendingEpoch === attacker.authenticator);
  assert.equal(c.failedNotAllowed, 0, `disallowed failures: ${call.incidents.join("; ")}`);
  assert.equal(c.lost, 0, "nobody lost a frame");
  assert.equal(c.plaintext + c.corrupted + c.unknown + c.refused, 0);
  assert.equal(c.authenticatorDisagreements, 0);
  assert.equal(s?.commitsBroadcast, 6, "one commit per membership change, none of them the attacker's");
});
