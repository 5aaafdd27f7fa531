import assert from "node:assert/strict";
import { test } from "node:test";
import { type MemberKind, startLiveCall, unexpectedFailures, userIdOf } from "../helpers/call.js";

/**
 * Scenario (c): a mixed call. Half the members run Parley's VoiceSession, half a real @snazzah/davey
 * DAVESession driven by the same opcodes; they join alternately, some leave and new ones come, all talking.
 */

/** Audio ticks (300 ms at 50 frames/s) after each step settles. */
const TALK_FRAMES = 15;

test("Parley and davey members share a call: joins, leaves and audio both ways", async (t) => {
  const call = await startLiveCall(t);
  const kinds: MemberKind[] = ["parley", "davey", "parley", "davey", "parley", "davey"];
  const ids = kinds.map((_, i) => userIdOf(3, i));
  const step = async (action: () => Promise<unknown>) => {
    await action();
    await call.settled();
    await call.talk(TALK_FRAMES);
  };
  call.startAudio();
  for (const [i, id] of ids.entries()) await step(() => call.join(id, kinds[i]));
  // One of each kind leaves, one of each kind comes, then the call shrinks to one of each.
  await step(() => call.leave(ids[0] as string));
  await step(() => call.leave(ids[1] as string));
  await step(() => call.join(userIdOf(3, 10), "davey"));
  await step(() => call.join(userIdOf(3, 11), "parley"));
  for (const id of [ids[2], ids[3], ids[4], userIdOf(3, 10)]) await step(() => call.leave(id as string));
  await call.stopAudio();
  call.countLost();

  const present = [...call.members.values()].map((m) => m.kind).sort();
  assert.deepEqual(present, ["davey", "parley"]);
  const c = call.counts;
  t.diagnostic(call.summary("mixed"));
  assert.deepEqual(unexpectedFailures(call), []);
  assert.equal(c.failedNotAllowed, 0, `disallowed failures: ${call.incidents.join("; ")}`);
  assert.equal(c.plaintext, 0, "no frame went out unencrypted");
  assert.equal(c.corrupted + c.unknown + c.refused, 0);
  assert.equal(c.lost, 0);
  assert.equal(c.authenticatorDisagreements, 0);
  assert.ok(c.transitions >= 13, `${c.transitions} transitions`);
  assert.ok(c.afterJoinDeliveries > 0 && c.afterJoinFailed === 0);
  // Both engines reported authenticators for the same transitions: they agree.
  const kindsReporting = new Set(call.everyone.map((m) => m.kind));
  assert.deepEqual([...kindsReporting].sort(), ["davey", "parley"]);
});
