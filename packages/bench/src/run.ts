import { readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BenchReport, formatReport, writeReportJson } from "./report.js";

export interface BenchOptions {
  /** A short run (under 45 s) with fewer sizes. */
  readonly quick: boolean;
}

/** What each `packages/<pkg>/bench/<name>.ts` exports. */
export type BenchModule = { run(options: BenchOptions): Promise<BenchReport> };

const USAGE = "usage: npm run bench -- <name> [--quick] [--json FILE]";

/** Every benchmark the built packages provide: name → compiled module path. */
async function findBenchmarks(packagesDir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const pkg of await readdir(packagesDir)) {
    const dir = join(packagesDir, pkg, "dist", "bench");
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const file of files) if (file.endsWith(".js")) found.set(file.slice(0, -3), join(dir, file));
  }
  return found;
}

/** The `npm run bench` entry point: parse arguments, run the named benchmark, print and save its report. */
export async function main(argv: string[]): Promise<number> {
  const name = argv.find((a, i) => !a.startsWith("--") && argv[i - 1] !== "--json");
  const jsonAt = argv.indexOf("--json");
  const json = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
  const packagesDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
  const benchmarks = await findBenchmarks(packagesDir);
  if (name === undefined || (jsonAt >= 0 && json === undefined) || !benchmarks.has(name)) {
    process.stderr.write(
      `${USAGE}\nbenchmarks: ${[...benchmarks.keys()].sort().join(", ") || "none built"}\n`,
    );
    return 2;
  }
  const module = (await import(pathToFileURL(benchmarks.get(name) as string).href)) as BenchModule;
  const report = await module.run({ quick: argv.includes("--quick") });
  process.stdout.write(`${formatReport(report)}\n`);
  if (json !== undefined) await writeReportJson(report, json);
  return 0;
}
