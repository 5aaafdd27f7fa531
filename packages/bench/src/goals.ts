import { advantage, type BenchGoal, type BenchRow } from "./report.js";

const SYMBOL: Record<BenchGoal["op"], string> = { "<": "<", "<=": "≤", ">": ">", ">=": "≥" };

/** Whether the row meets the goal; a figure not measured (NaN) never does. */
export function goalMet(row: BenchRow, goal: BenchGoal): boolean {
  const x = goal.against === "absolute" ? row.ours : advantage(row);
  switch (goal.op) {
    case "<":
      return x < goal.value;
    case "<=":
      return x <= goal.value;
    case ">":
      return x > goal.value;
    case ">=":
      return x >= goal.value;
  }
}

function goalText(row: BenchRow, goal: BenchGoal): string {
  if (goal.text !== undefined) return goal.text;
  const value = goal.value.toLocaleString("en-US");
  return `${SYMBOL[goal.op]} ${goal.against === "peer-ratio" ? `${value}×` : `${value} ${row.unit}`}`;
}

/** The table's goal cell: each goal with "met" or "missed", or "—" when none is stated. */
export function goalCell(row: BenchRow): string {
  const goals = row.goals ?? [];
  if (goals.length === 0) return "—";
  return goals.map((g) => `${goalText(row, g)} ${goalMet(row, g) ? "met" : "missed"}`).join("; ");
}

export function goalSummary(rows: readonly BenchRow[]): string {
  let met = 0;
  let missed = 0;
  for (const row of rows)
    for (const goal of row.goals ?? []) {
      if (goalMet(row, goal)) met++;
      else missed++;
    }
  return `goals: ${met} met, ${missed} missed`;
}
