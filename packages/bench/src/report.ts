import { writeFile } from "node:fs/promises";

/**
 * A target for one figure, as a README, a note or a design doc states it. "absolute" judges the row's own
 * figure (`ours`, in its unit); "peer-ratio" judges how many times better than the peer ours is (the
 * "ours vs peer" column, see advantage()), so "≥ 5× faster" is `{ op: ">=", value: 5, against: "peer-ratio" }`.
 */
export interface BenchGoal {
  readonly op: "<" | "<=" | ">" | ">=";
  readonly value: number;
  readonly against: "absolute" | "peer-ratio";
  /** How the goal reads in the table (e.g. "≥ davey"); derived from op, value and the unit when absent. */
  readonly text?: string;
}

/** One figure, ours beside the peer's, as `npm run bench -- <name> --json FILE` writes it. */
export interface BenchRow {
  readonly case: string;
  readonly unit: string;
  readonly better: "lower" | "higher";
  readonly ours: number;
  readonly peer: number;
  /** Goals stated for this figure; shown in the table, never written to the JSON. */
  readonly goals?: readonly BenchGoal[];
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

/** A figure with about three significant digits; "—" for a figure not measured (NaN). */
export function figure(n: number): string {
  if (Number.isNaN(n)) return "—";
  if (n === 0) return "0";
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

/** The JSON keeps exactly its five row fields, so that goals and notes never change its format. */
export async function writeReportJson(report: BenchReport, path: string): Promise<void> {
  const rows = report.rows.map((r) => ({
    case: r.case,
    unit: r.unit,
    better: r.better,
    ours: r.ours,
    peer: r.peer,
  }));
  await writeFile(path, `${JSON.stringify({ name: report.name, peer: report.peer, rows }, null, 2)}\n`);
}
