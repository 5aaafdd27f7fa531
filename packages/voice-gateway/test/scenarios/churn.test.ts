import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { test } from "node:test";
import { liveCallScenario, unexpectedFailures, userIdOf } from "../helpers/call.js";

/**
 * Scenario (b): churn. Up to 8 members; every 300 ms for 30 s one joins or leaves (a leaver is picked at
 * random; a joiner is a new user), everyone talking throughout. Transitions overlap: a join can arrive while
 * the previous removal is still being committed.
 */

const SLOTS = 8;
const STEP_MS = 300;
const DURATION_MS = 30_000;

const scenario = liveCallScenario();

test("churn: one member joins or leaves every 300 ms for 30 s", async (t) => {
  const { call } = scenario;
  let next = 0;
  for (let i = 0; i < SLOTS / 2; i++) await call.join(userIdOf(2, next++));
  await call.settled();
  call.startAudio();

  let joins = 0;
  let leaves = 0;
  let quietSamples = 0;
  const started = performance.now();
  for (let step = 1; performance.now() - started < DURATION_MS; step++) {
    if (call.quiet()) {
      // Between transitions every member must hold the same epoch (settled() throws otherwise).
      await call.settled(0);
      quietSamples++;
    }
    const present = [...call.members.keys()];
    const join = present.length <= 1 || (present.length < SLOTS && randomInt(2) === 0);
    if (join) {
      await call.join(userIdOf(2, next++));
      joins++;
    } else {
      await call.leave(present[randomInt(present.length)] as string);
      leaves++;
    }
    const wait = started + step * STEP_MS - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await call.settled();
  await new Promise((r) => setTimeout(r, STEP_MS));
  await call.stopAudio();
  call.countLost();

  const c = call.counts;
  t.diagnostic(
    `${call.summary("churn")}; ${joins} joins, ${leaves} leaves, ${quietSamples} quiet samples agreed`,
  );
  // Remove+Add commits with a path make trees that ts-mls 1.6.4 as published refused in Welcomes; with the
  // install-time patch (scripts/patch-ts-mls.mjs) every joiner must accept them.
  assert.deepEqual(unexpectedFailures(call), []);
  assert.equal(c.failedNotAllowed, 0, `disallowed failures: ${call.incidents.join("; ")}`);
  assert.equal(c.plaintext, 0, "no frame went out unencrypted");
  assert.equal(c.corrupted + c.unknown + c.refused, 0);
  assert.equal(c.lost, 0, "the relay delivered every frame to every connected member");
  assert.equal(c.authenticatorDisagreements, 0, call.incidents.join("; "));
  assert.ok(joins + leaves >= 90, `${joins + leaves} membership changes`);
  assert.ok(c.transitions >= 30, `${c.transitions} transitions`);
  assert.ok(c.afterJoinDeliveries > 0 && c.afterJoinFailed === 0);
});
