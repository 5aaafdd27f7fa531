import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BoundedMap } from "../src/limits/boundedMap.js";
import { addressKey } from "../src/limits/clientAddress.js";
import { FailureBackoff } from "../src/limits/failureBackoff.js";
import { TokenBuckets } from "../src/limits/tokenBuckets.js";
import { manualClock } from "./clock.js";

describe("limiter building blocks", () => {
  test("BoundedMap keeps at most its capacity, forgetting the least recently used", () => {
    const map = new BoundedMap<string, number>(3);
    for (const k of ["a", "b", "c"]) map.set(k, 1);
    map.get("a");
    map.set("d", 1);
    assert.equal(map.size, 3);
    assert.equal(map.get("b"), undefined, "b was the least recently used");
    assert.equal(map.get("a"), 1);
    for (let i = 0; i < 100_000; i++) map.set(`k${i}`, i);
    assert.equal(map.size, 3, "cycling keys cannot grow it");
  });

  test("TokenBuckets: a burst of `limit`, then one per window/limit; a refusal creates no bucket", () => {
    const clock = manualClock();
    const buckets = new TokenBuckets(10, 3600_000, 1000, clock.now);
    const taken = Array.from({ length: 11 }, () => buckets.take("alice>bob"));
    assert.deepEqual(taken.slice(0, 10), Array(10).fill(0));
    assert.equal(taken[10], 360_000, "the 11th waits for one token: an hour / 10");
    clock.advance(360_000);
    assert.equal(buckets.take("alice>bob"), 0);
    assert.equal(buckets.wait("alice>bob"), 360_000);
    assert.equal(buckets.wait("carol>bob"), 0, "other keys are independent");
    const small = new TokenBuckets(1, 60_000, 100, clock.now);
    for (let i = 0; i < 50_000; i++) small.take(`random token ${i}`);
    assert.equal(small.take("random token 49999"), 60_000);
  });

  test("FailureBackoff: 5 free failures, then 1 s doubling up to the cap; reset, refund, forgetting", () => {
    const clock = manualClock();
    const policy = { freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000 };
    const backoff = new FailureBackoff(policy, 1000, clock.now);
    for (let i = 0; i < 4; i++) backoff.fail("alice");
    assert.equal(backoff.wait("alice"), 0, "4 failures are free");
    backoff.fail("alice");
    assert.equal(backoff.wait("alice"), 1000, "after the 5th: 1 s");
    const waits = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(backoff.wait("alice"));
      backoff.fail("alice");
      waits.push(backoff.wait("alice"));
    }
    assert.deepEqual(waits, [2000, 4000, 8000, 8000, 8000], "doubling up to the cap");
    backoff.refund("alice");
    assert.equal(backoff.wait("alice"), 8000, "9 failures: still capped");
    backoff.reset("alice");
    assert.equal(backoff.wait("alice"), 0);
    for (let i = 0; i < 6; i++) backoff.fail("bob");
    clock.advance(59_999);
    assert.equal(backoff.wait("bob"), 0);
    backoff.fail("bob");
    assert.equal(backoff.wait("bob"), 4000, "remembered within forgetAfterMs");
    clock.advance(60_000);
    backoff.fail("bob");
    assert.equal(backoff.wait("bob"), 0, "forgotten after forgetAfterMs: one failure again");
  });

  test("FailureBackoff memory is fixed whatever keys are cycled", () => {
    const clock = manualClock();
    const policy = { freeFailures: 0, baseDelayMs: 1000, maxDelayMs: 1000, forgetAfterMs: 60_000 };
    const backoff = new FailureBackoff(policy, 100, clock.now);
    backoff.fail("victim");
    for (let i = 0; i < 99; i++) backoff.fail(`user${i}`);
    assert.equal(backoff.wait("victim"), 1000, "kept while within capacity");
    for (let i = 0; i < 10_000; i++) backoff.fail(`cycled${i}`);
    assert.equal(backoff.wait("cycled9999"), 1000);
    assert.equal(backoff.wait("victim"), 0, "evicted: fixed memory forgets the oldest");
  });

  test("addressKey: IPv4 as is, IPv6 by its /64, IPv4-mapped as IPv4", () => {
    assert.equal(addressKey("203.0.113.7"), "203.0.113.7");
    assert.equal(addressKey("::ffff:203.0.113.7"), "203.0.113.7");
    assert.equal(addressKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert.equal(addressKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
    assert.equal(addressKey("2001:db8::1"), "2001:db8:0:0::/64");
    assert.equal(addressKey("::1"), "0:0:0:0::/64");
    assert.equal(addressKey("fe80::1%eth0"), "fe80:0:0:0::/64");
  });
});
