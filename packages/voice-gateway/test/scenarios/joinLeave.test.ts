import assert from "node:assert/strict";
import { test } from "node:test";
import { startLiveCall, unexpectedFailures, userIdOf } from "../helpers/call.js";

/** Scenario (a): ten members join one by one, then leave one by one, all talking the whole time. */

const MEMBERS = 10;
/** Audio flows this many ticks (300 ms at 50 frames/s) between transitions: each happens mid-stream. */
const TALK_FRAMES = 15;

test("10 members join one by one, then leave one by one, without losing a frame", async (t) => {
  const call = await startLiveCall(t);
  const ids = Array.from({ length: MEMBERS }, (_, i) => userIdOf(1, i));
  const authenticators = new Set<string>();
  call.startAudio();
  for (const id of ids) {
    await call.join(id);
    const authenticator = await call.settled();
    if (authenticator !== "") authenticators.add(authenticator);
    await call.talk(TALK_FRAMES);
  }
  const full = call.gateway.inspect();
  assert.equal(full?.roster.length, MEMBERS);
  for (const id of ids.slice(0, -2)) {
    await call.leave(id);
    authenticators.add(await call.settled());
    await call.talk(TALK_FRAMES);
  }
  // Down to two, then one: the sole member keeps its key (no frame refused) until the end.
  await call.leave(ids.at(-2) as string);
  await call.talk(TALK_FRAMES);
  await call.stopAudio();
  call.countLost();

  const c = call.counts;
  t.diagnostic(call.summary("join-leave"));
  assert.deepEqual(unexpectedFailures(call), [], "no member reported an MLS failure");
  assert.deepEqual(call.refusals, [], "no member refused a commit or Welcome");
  assert.equal(c.failedNotAllowed, 0, `disallowed failures: ${call.incidents.join("; ")}`);
  assert.equal(c.plaintext, 0, "no frame went out unencrypted");
  assert.equal(c.corrupted, 0);
  assert.equal(c.unknown, 0);
  assert.equal(c.refused, 0, "a ready member never had a frame refused");
  assert.equal(c.lost, 0, "the relay delivered every frame to every connected member");
  assert.equal(c.authenticatorDisagreements, 0);
  assert.ok(c.transitions >= 2 * MEMBERS - 3, `every join and leave was a transition (${c.transitions})`);
  assert.equal(authenticators.size, 2 * MEMBERS - 3, "each settled state had its own epoch");
  assert.ok(c.decrypted > 0.95 * c.deliveries, "nearly every delivery decrypted");
  assert.ok(c.afterJoinDeliveries > 0 && c.afterJoinFailed === 0);
});
