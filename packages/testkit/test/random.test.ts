import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { baseSeed, Random, SEED_ENV, testRandom } from "../src/index.js";

const draws = (random: Random, n = 32) => Array.from({ length: n }, () => random.nextUint32());

/** A stand-in for node:test's TestContext that keeps the diagnostics. */
const fakeTest = (name: string) => {
  const diagnostics: string[] = [];
  return { name, diagnostics, diagnostic: (m: string) => diagnostics.push(m) };
};

test("the same seed gives the same sequence, another seed another one", () => {
  assert.deepEqual(draws(new Random("42:a")), draws(new Random("42:a")));
  assert.notDeepEqual(draws(new Random("42:a")), draws(new Random("42:b")));
  assert.notDeepEqual(draws(new Random("42:a")), draws(new Random("43:a")));
  assert.ok(draws(new Random("x"), 1000).every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32));
});

test("int, bytes, pick and shuffle stay in range and are reproducible", () => {
  const random = new Random("ranges");
  const ints = Array.from({ length: 2000 }, () => random.int(7));
  assert.ok(ints.every((x) => Number.isInteger(x) && x >= 0 && x < 7));
  assert.equal(new Set(ints).size, 7, "every value comes up");
  assert.equal(random.int(1), 0);
  assert.throws(() => random.int(0), RangeError);
  assert.throws(() => random.int(1.5), RangeError);

  assert.equal(random.bytes(0).length, 0);
  assert.equal(random.bytes(13).length, 13);
  assert.deepEqual(new Random("b").bytes(9), new Random("b").bytes(9));

  const items = ["a", "b", "c", "d", "e"];
  assert.ok(items.includes(random.pick(items)));
  assert.throws(() => random.pick([]), RangeError);
  const shuffled = random.shuffle(items);
  assert.deepEqual([...shuffled].sort(), items, "a permutation");
  assert.deepEqual(items, ["a", "b", "c", "d", "e"], "the input is left alone");
  assert.deepEqual(new Random("s").shuffle(items), new Random("s").shuffle(items));
});

test("each test draws its own stream from the base seed, and the seed is printed for replay", () => {
  const first = fakeTest("one test");
  const again = fakeTest("one test");
  const other = fakeTest("another test");
  const a = draws(testRandom(first));
  assert.deepEqual(draws(testRandom(again)), a, "same base seed and name: same draws");
  assert.notDeepEqual(draws(testRandom(other)), a, "another name: other draws");
  assert.deepEqual(first.diagnostics, [`seed ${baseSeed()} (${SEED_ENV}=${baseSeed()} to replay)`]);
});

test(`${SEED_ENV} sets the base seed, and a bad value is refused`, () => {
  const index = new URL("../src/index.js", import.meta.url).href;
  const run = (seed: string) =>
    spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { baseSeed } from ${JSON.stringify(index)}; console.log(baseSeed());`,
      ],
      { env: { ...process.env, [SEED_ENV]: seed }, encoding: "utf8" },
    );
  assert.equal(run("123456789").stdout.trim(), "123456789");
  const bad = run("12abc");
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, new RegExp(`${SEED_ENV} must be an integer`));
  assert.notEqual(run("4294967296").status, 0);
});
