import { goalCell, goalSummary } from "./goals.js";
import { advantage, type BenchReport, figure } from "./report.js";

/** The report's table as text cells, shared by the terminal and the HTML report. */
export function tableCells(report: BenchReport): { header: string[]; body: string[][] } {
  const header = ["case", "unit", "ours", report.peer, "ours vs peer", "goal"];
  const body = report.rows.map((r) => {
    const ratio = advantage(r);
    return [
      r.case,
      r.unit,
      figure(r.ours),
      figure(r.peer),
      Number.isNaN(ratio) ? "—" : `${ratio.toFixed(2)}×`,
      goalCell(r),
    ];
  });
  return { header, body };
}

/** Columns aligned as text: names and goals to the left, figures to the right. */
const LEFT_ALIGNED = new Set([0, 5]);

/** The printed report: where it ran, the table with goals, the goal summary, then the notes. */
export function formatReport(report: BenchReport, environment: string): string {
  const { header, body } = tableCells(report);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (LEFT_ALIGNED.has(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [
    environment,
    `${report.name}: ours vs ${report.peer} ("ours vs peer" > 1× means ours is better)`,
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...body.map(line),
    goalSummary(report.rows),
    ...(report.notes ?? []),
  ].join("\n");
}
