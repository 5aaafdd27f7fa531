import { availableParallelism, cpus } from "node:os";

/** Where the figures were measured: "node v20.20.2 · <CPU model> · 2 cores · 2026-12-02" (UTC date). */
export function environmentLine(now: Date = new Date()): string {
  const model = cpus()[0]?.model.replace(/\s+/g, " ").trim() || "unknown CPU";
  const cores = availableParallelism();
  return `node ${process.version} · ${model} · ${cores} ${cores === 1 ? "core" : "cores"} · ${now.toISOString().slice(0, 10)}`;
}
