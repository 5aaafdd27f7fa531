import assert from "node:assert/strict";
import { test } from "node:test";
import { renderReportHtml } from "../src/html.js";
import type { BenchReport } from "../src/report.js";

const report: BenchReport = {
  name: "mls",
  peer: "ts-mls <default>",
  rows: [
    { case: "s1-n2-empty-commit", unit: "ms", better: "lower", ours: 1.5, peer: 12 },
    { case: "s1-n100-empty-commit", unit: "ms", better: "lower", ours: 31.25, peer: 150 },
    {
      case: "<script>alert(1)</script>",
      unit: "µs",
      better: "lower",
      ours: 4,
      peer: 2,
      goals: [{ op: ">=", value: 1, against: "peer-ratio" }],
    },
  ],
  notes: ["published: a < b & c"],
};

/** The specs handed to Chart.js, parsed back from the page. */
function chartSpecs(html: string): { type: string; data: { labels?: string[]; datasets: unknown[] } }[] {
  const json = /const specs = (.*);\n/.exec(html)?.[1];
  assert.ok(json, "chart specs in the page");
  return JSON.parse(json);
}

test("the page has the environment, the table with goals, the summary and the notes", async () => {
  const html = await renderReportHtml(report, "node v20 · a CPU · 2 cores · 2026-12-02");
  assert.match(html, /^<!doctype html>/);
  assert.ok(html.includes("<p>node v20 · a CPU · 2 cores · 2026-12-02</p>"));
  assert.ok(
    html.includes("<td>s1-n100-empty-commit</td><td>ms</td><td>31.25</td><td>150</td><td>4.80×</td>"),
  );
  assert.ok(html.includes("<td>≥ 1× missed</td>"));
  assert.ok(html.includes("goals: 0 met, 1 missed"));
});

test("every text put into the page is escaped", async () => {
  const html = await renderReportHtml(report, "env <b>");
  assert.ok(!html.includes("<script>alert(1)"));
  assert.ok(html.includes("<td>&#60;script&#62;alert(1)&#60;/script&#62;</td>"));
  assert.ok(html.includes("ts-mls &#60;default&#62;"));
  assert.ok(html.includes("a &#60; b &#38; c"));
  assert.ok(html.includes("env &#60;b&#62;"));
  assert.ok(html.includes("\\u003cscript>alert(1)\\u003c/script> (lower is better)"));
});

test("Chart.js is inlined, and sizes become a line chart, the rest a bar chart against the peer", async () => {
  const html = await renderReportHtml(report, "env");
  assert.match(html, /<script>\/\*!\n \* Chart\.js v4\./);
  assert.ok(!html.includes("sourceMappingURL"));
  assert.ok(!/<script[^>]* src=/.test(html), "no external script");
  const [line, bar, ...rest] = chartSpecs(html);
  assert.equal(rest.length, 0);
  assert.equal(line?.type, "line");
  assert.deepEqual(
    line?.data.datasets.map((d) => (d as { data: unknown }).data),
    [
      [
        { x: 2, y: 1.5 },
        { x: 100, y: 31.25 },
      ],
      [
        { x: 2, y: 12 },
        { x: 100, y: 150 },
      ],
    ],
  );
  assert.equal(bar?.type, "bar");
  assert.deepEqual(bar?.data.labels, ["<script>alert(1)</script> (lower is better)"]);
  const ours = bar?.data.datasets[1] as { data: number[] } | undefined;
  assert.deepEqual(ours?.data, [2]);
});
