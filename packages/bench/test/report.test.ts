import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { environmentLine } from "../src/environment.js";
import { type BenchReport, writeReportJson } from "../src/report.js";
import { formatReport } from "../src/table.js";

const report: BenchReport = {
  name: "server",
  peer: "raw insert rate",
  rows: [
    {
      case: "sqlite-s100-throughput",
      unit: "messages/s",
      better: "higher",
      ours: 6000,
      peer: 8000,
      goals: [{ op: ">=", value: 5000, against: "absolute" }],
    },
    {
      case: "sqlite-s100-p99",
      unit: "ms",
      better: "lower",
      ours: 61.8,
      peer: Number.NaN,
      goals: [{ op: "<", value: 50, against: "absolute" }],
    },
    { case: "sqlite-s100-p50", unit: "ms", better: "lower", ours: 20, peer: Number.NaN },
  ],
  notes: ["a note"],
};

test("the printed report starts with the environment and has a goal column and a summary", () => {
  const lines = formatReport(report, "node v20 · a CPU · 2 cores · 2026-12-02").split("\n");
  assert.equal(lines[0], "node v20 · a CPU · 2 cores · 2026-12-02");
  assert.match(lines[2] ?? "", /^case\s+unit\s+ours\s+raw insert rate\s+ours vs peer\s+goal$/);
  const row = (name: string) => lines.find((l) => l.startsWith(name)) ?? "";
  assert.match(row("sqlite-s100-throughput"), /6000\s+8000\s+0\.75×\s+≥ 5,000 messages\/s met$/);
  assert.match(row("sqlite-s100-p99"), /61\.80\s+—\s+—\s+< 50 ms missed$/);
  assert.match(row("sqlite-s100-p50"), /—$/);
  assert.deepEqual(lines.slice(-2), ["goals: 1 met, 1 missed", "a note"]);
});

test("the environment line names Node, the CPU, its cores and the date", () => {
  const line = environmentLine(new Date("2026-12-02T10:00:00Z"));
  assert.match(line, /^node v\d+\.\d+\.\d+ · .+ · \d+ cores? · 2026-12-02$/);
});

test("the JSON keeps exactly name, peer and the five row fields", async () => {
  const dir = await mkdtemp(join(tmpdir(), "parley-bench-test-"));
  try {
    const path = join(dir, "report.json");
    await writeReportJson(report, path);
    const json = JSON.parse(await readFile(path, "utf8"));
    assert.deepEqual(Object.keys(json), ["name", "peer", "rows"]);
    assert.deepEqual(json.rows[0], {
      case: "sqlite-s100-throughput",
      unit: "messages/s",
      better: "higher",
      ours: 6000,
      peer: 8000,
    });
    assert.equal(json.rows[1].peer, null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
