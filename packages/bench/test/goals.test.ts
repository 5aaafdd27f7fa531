import assert from "node:assert/strict";
import { test } from "node:test";
import { goalCell, goalMet, goalSummary } from "../src/goals.js";
import type { BenchGoal, BenchRow } from "../src/report.js";

const rate = (ours: number, peer: number, goals?: BenchGoal[]): BenchRow => ({
  case: "sqlite-s100-throughput",
  unit: "messages/s",
  better: "higher",
  ours,
  peer,
  goals,
});
const latency = (ours: number, peer: number, goals?: BenchGoal[]): BenchRow => ({
  case: "s1-n100-empty-commit",
  unit: "ms",
  better: "lower",
  ours,
  peer,
  goals,
});

test("absolute goals: at least and below, met and missed, strict bounds", () => {
  const atLeast: BenchGoal = { op: ">=", value: 5000, against: "absolute" };
  assert.equal(goalMet(rate(5000, 1), atLeast), true);
  assert.equal(goalMet(rate(4999, 1), atLeast), false);
  const below: BenchGoal = { op: "<", value: 50, against: "absolute" };
  assert.equal(goalMet(latency(49.9, 1), below), true);
  assert.equal(goalMet(latency(50, 1), below), false);
  assert.equal(goalMet(latency(50, 1), { ...below, op: "<=" }), true);
  assert.equal(goalMet(rate(10, 1), { op: ">", value: 10, against: "absolute" }), false);
});

test("peer-ratio goals judge how many times better than the peer ours is, in either direction", () => {
  const fiveTimes: BenchGoal = { op: ">=", value: 5, against: "peer-ratio" };
  assert.equal(goalMet(latency(10, 50), fiveTimes), true); // 50 / 10 = 5× faster
  assert.equal(goalMet(latency(10, 40), fiveTimes), false);
  const half: BenchGoal = { op: ">=", value: 0.5, against: "peer-ratio" };
  assert.equal(goalMet(rate(3000, 6000), half), true); // 3000 / 6000 = 0.5× the raw rate
  assert.equal(goalMet(rate(2900, 6000), half), false);
});

test("a figure not measured misses its goal", () => {
  assert.equal(goalMet(rate(Number.NaN, 1), { op: ">=", value: 1, against: "absolute" }), false);
  assert.equal(goalMet(rate(1, Number.NaN), { op: "<=", value: 1, against: "peer-ratio" }), false);
});

test("the goal cell shows each goal's text and outcome, or — without a goal", () => {
  assert.equal(goalCell(rate(1, 1)), "—");
  const row = rate(6000, 20_000, [
    { op: ">=", value: 5000, against: "absolute" },
    { op: ">=", value: 0.5, against: "peer-ratio" },
  ]);
  assert.equal(goalCell(row), "≥ 5,000 messages/s met; ≥ 0.5× missed");
  const named = latency(1, 2, [{ op: ">=", value: 1, against: "peer-ratio", text: "≥ davey" }]);
  assert.equal(goalCell(named), "≥ davey met");
});

test("the summary counts every goal of every row", () => {
  const rows = [
    rate(6000, 20_000, [
      { op: ">=", value: 5000, against: "absolute" },
      { op: ">=", value: 0.5, against: "peer-ratio" },
    ]),
    latency(40, 1, [{ op: "<", value: 50, against: "absolute" }]),
    latency(1, 1),
  ];
  assert.equal(goalSummary(rows), "goals: 2 met, 1 missed");
  assert.equal(goalSummary([]), "goals: 0 met, 0 missed");
});
