export { advantage, type BenchGoal, type BenchReport, type BenchRow, writeReportJson } from "./report.js";
export { type BenchModule, type BenchOptions, main } from "./run.js";
export { formatReport } from "./table.js";
export { progress, type TimingOptions, timeOp } from "./timing.js";
