import assert from "node:assert/strict";
import { test } from "node:test";
import { Changes } from "../src/index.js";

test("a wait resolves at once when its condition holds, and after the notify that makes it hold", async () => {
  const changes = new Changes();
  await changes.until(() => true, "nothing");
  let value = 0;
  let checks = 0;
  const waiting = changes.until(() => {
    checks++;
    return value === 2;
  }, "value 2");
  value = 1;
  changes.notify();
  await new Promise((r) => setImmediate(r));
  value = 2;
  changes.notify();
  changes.notify(); // coalesced with the one before
  await waiting;
  assert.equal(checks, 3, "checked on the call and once per turn with a notify, never by polling");
});

test("a wait that times out says what it waited for and the state it saw", async () => {
  const changes = new Changes();
  await assert.rejects(
    changes.until(() => false, "the impossible", { timeoutMs: 20, state: () => "still 0" }),
    /timed out after 20 ms waiting for the impossible; state: still 0/,
  );
});

test("a condition that throws rejects the wait", async () => {
  const changes = new Changes();
  let armed = false;
  const waiting = changes.until(() => {
    if (armed) throw new Error("members disagree");
    return false;
  }, "agreement");
  armed = true;
  changes.notify();
  await assert.rejects(waiting, /members disagree/);
});
