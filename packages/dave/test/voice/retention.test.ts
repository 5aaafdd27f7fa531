import assert from "node:assert/strict";
import { test } from "node:test";
import { Call } from "./call.js";

const [A, B, C] = ["158049329150427136", "158533742254751744", "158533742254751999"];
const frameOf = (seed: number) => new Uint8Array(40).fill(seed);

test("a past epoch's frames decrypt within pastEpochRetentionMs of the transition, and fail after it", async (t) => {
  let now = 1_000_000;
  const call = await Call.create(t);
  const a = await call.join(A);
  const b = await call.join(B, { now: () => now, pastEpochRetentionMs: 3_000 });
  const sent = [1, 2].map((seed) => {
    const out = a.session.encrypt(frameOf(seed));
    assert.ok(out.ok && !out.passthrough);
    return out.frame;
  });
  const epoch = b.session.epoch;
  await call.join(C); // a new epoch: B installs A's new ratchet, A sends under it from op 22 on
  assert.equal(b.session.epoch, epoch + 1n);

  now += 3_000;
  const early = b.session.decrypt(A, sent[0] as Uint8Array);
  assert.ok(early.ok && Buffer.from(early.frame).equals(frameOf(1)), "inside the window");
  now += 1;
  assert.deepEqual(b.session.decrypt(A, sent[1] as Uint8Array), {
    ok: false,
    reason: "authentication-failure",
  });
  const current = a.session.encrypt(frameOf(3));
  assert.ok(current.ok);
  assert.ok(b.session.decrypt(A, current.frame).ok, "the current epoch is unaffected");
});
