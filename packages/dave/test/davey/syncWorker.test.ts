import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { SyncWorker } from "../../src/davey/syncWorker.js";
import type { TestApi } from "./fixtures/testWorker.js";

const entry = new URL("./fixtures/testWorker.js", import.meta.url);
const bridge = (timeoutMs = 5000) => new SyncWorker<TestApi>(entry, timeoutMs);

test("a call blocks until the worker answers, with the answer's structured clone", (t) => {
  const worker = bridge();
  assert.deepEqual(worker.call("echo", { n: 1n, bytes: Uint8Array.of(1, 2) }), {
    n: 1n,
    bytes: Uint8Array.of(1, 2),
  });
  assert.deepEqual(worker.call("moveOut", 16), new Uint8Array(16).fill(7), "transferred bytes arrive");
  const calls = 2000;
  const started = performance.now();
  for (let i = 0; i < calls; i++) worker.call("echo", i);
  const micros = ((performance.now() - started) * 1000) / calls;
  t.diagnostic(`bridged call: ${micros.toFixed(1)} µs`);
  assert.ok(micros < 1000, `a round trip takes ${micros} µs`);
  worker.terminate();
});

test("a refusal in the worker is thrown as an Error, and the worker keeps serving", () => {
  const worker = bridge();
  assert.throws(() => worker.call("refuse", "no such group"), { name: "Error", message: "no such group" });
  assert.equal(worker.call("echo", "still here"), "still here");
  worker.terminate();
});

test("a worker that never answers times out into an Error, not a hang, and is stopped", () => {
  const worker = bridge(200);
  const started = performance.now();
  assert.throws(() => worker.call("hang"), /did not answer hang within 200 ms/);
  assert.ok(performance.now() - started < 2000);
  assert.equal(worker.running, false);
  assert.throws(() => worker.call("echo", 1), /DAVE worker is not running/);
});

test("a worker crashing or exiting mid-call throws at once, well before the timeout", () => {
  for (const [op, expected] of [
    ["crash", /DAVE worker failed: boom/],
    ["exit", /DAVE worker exited with code 3/],
  ] as const) {
    const worker = bridge(20_000);
    const started = performance.now();
    assert.throws(() => (op === "crash" ? worker.call("crash", "boom") : worker.call("exit", 3)), expected);
    assert.ok(performance.now() - started < 5000, `${op} answered in ${performance.now() - started} ms`);
    assert.equal(worker.running, false);
  }
});

test("an idle worker does not keep the process alive", () => {
  const script = `
    const { SyncWorker } = await import(${JSON.stringify(new URL("../../src/davey/syncWorker.js", import.meta.url).href)});
    const worker = new SyncWorker(new URL(${JSON.stringify(entry.href)}), 5000);
    if (worker.call("echo", 41) !== 41) process.exit(2);
  `;
  const started = performance.now();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { timeout: 10_000 });
  assert.equal(child.status, 0, child.stderr.toString());
  assert.ok(performance.now() - started < 5000);
});
