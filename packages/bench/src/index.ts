export { advantage, type BenchReport, type BenchRow, formatReport, writeReportJson } from "./report.js";
export { type BenchModule, type BenchOptions, main } from "./run.js";
export { progress, type TimingOptions, timeOp } from "./timing.js";
