import assert from "node:assert/strict";
import { test } from "node:test";
import { startLiveCall, unexpectedFailures, userIdOf } from "../helpers/call.js";

/**
 * Scenario (b): churn. Up to 8 members; 100 membership changes, one every 15 audio frames (300 ms at 50
 * frames/s), everyone talking throughout. Whether a member joins or leaves, and who leaves, is drawn from
 * the test's seed; a joiner is a new user. Transitions overlap: a join can arrive while the previous removal
 * is still being committed. Every second change the call is awaited to settle, so that the changes make at
 * least one transition per pair of them however slowly the machine runs.
 */

const SLOTS = 8;
const CHANGES = 100;
const STEP_FRAMES = 15;
const SETTLE_EVERY = 2;

test("churn: 100 joins and leaves, one every 15 audio frames", async (t) => {
  const call = await startLiveCall(t);
  const { random } = call;
  let next = 0;
  for (let i = 0; i < SLOTS / 2; i++) await call.join(userIdOf(2, next++));
  await call.settled();
  call.startAudio();

  let joins = 0;
  let leaves = 0;
  let agreedSamples = 0;
  for (let step = 1; step <= CHANGES; step++) {
    const present = [...call.members.keys()];
    const join = present.length <= 1 || (present.length < SLOTS && random.int(2) === 0);
    if (join) {
      await call.join(userIdOf(2, next++));
      joins++;
    } else {
      await call.leave(random.pick(present));
      leaves++;
    }
    await call.talk(STEP_FRAMES);
    // Between transitions every member must hold the same epoch (agreement() throws otherwise).
    if (step % SETTLE_EVERY === 0) await call.settled();
    else if (call.quiet()) call.agreement();
    else continue;
    agreedSamples++;
  }
  await call.settled();
  await call.talk(STEP_FRAMES);
  await call.stopAudio();
  call.countLost();

  const c = call.counts;
  t.diagnostic(
    `${call.summary("churn")}; ${joins} joins, ${leaves} leaves, ${agreedSamples} settled states agreed`,
  );
  // Remove+Add commits with a path make trees that ts-mls 1.6.4 as published refused in Welcomes; with the
  // install-time patch (scripts/patch-ts-mls.mjs) every joiner must accept them.
  assert.deepEqual(unexpectedFailures(call), []);
  assert.equal(c.failedNotAllowed, 0, `disallowed failures: ${call.incidents.join("; ")}`);
  assert.equal(c.plaintext, 0, "no frame went out unencrypted");
  assert.equal(c.corrupted + c.unknown + c.refused, 0);
  assert.equal(c.lost, 0, "the relay delivered every frame to every connected member");
  assert.equal(c.authenticatorDisagreements, 0, call.incidents.join("; "));
  assert.equal(joins + leaves, CHANGES);
  assert.ok(agreedSamples >= CHANGES / SETTLE_EVERY, `${agreedSamples} settled states`);
  assert.ok(c.transitions >= 30, `${c.transitions} transitions`);
  assert.ok(c.afterJoinDeliveries > 0 && c.afterJoinFailed === 0);
});
