import { writeFile } from "node:fs/promises";

/** One figure, ours beside the peer's, as `npm run bench -- <name> --json FILE` writes it. */
export interface BenchRow {
  readonly case: string;
  readonly unit: string;
  readonly better: "lower" | "higher";
  readonly ours: number;
  readonly peer: number;
}

export interface BenchReport {
  readonly name: string;
  /** What the "peer" column measured (a baseline or another implementation, run in the same process). */
  readonly peer: string;
  readonly rows: BenchRow[];
  /** Free-form lines printed under the table (published figures, caveats). */
  readonly notes?: string[];
}

/** How many times better ours is than the peer (>1 means ours wins), whichever direction is better. */
export function advantage(row: BenchRow): number {
  return row.better === "lower" ? row.peer / row.ours : row.ours / row.peer;
}

function figure(n: number): string {
  if (n === 0) return "0";
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

export function formatReport(report: BenchReport): string {
  const header = ["case", "unit", "ours", report.peer, "ours vs peer"];
  const body = report.rows.map((r) => [
    r.case,
    r.unit,
    figure(r.ours),
    figure(r.peer),
    `${advantage(r).toFixed(2)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  const out = [
    `${report.name}: ours vs ${report.peer} ("ours vs peer" > 1× means ours is better)`,
    line(header),
  ];
  out.push(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of body) out.push(line(row));
  for (const note of report.notes ?? []) out.push(note);
  return out.join("\n");
}

export async function writeReportJson(report: BenchReport, path: string): Promise<void> {
  const { name, peer, rows } = report;
  await writeFile(path, `${JSON.stringify({ name, peer, rows }, null, 2)}\n`);
}
