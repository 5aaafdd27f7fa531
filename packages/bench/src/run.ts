import { readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { environmentLine } from "./environment.js";
import { writeReportHtml } from "./html.js";
import { type BenchReport, writeReportJson } from "./report.js";
import { formatReport } from "./table.js";
import { startProgressClock } from "./timing.js";

export interface BenchOptions {
  /** A short run (under 45 s) with fewer sizes. */
  readonly quick: boolean;
}

/** What each `packages/<pkg>/bench/<name>.ts` exports. */
export type BenchModule = { run(options: BenchOptions): Promise<BenchReport> };

const USAGE = "usage: npm run bench -- <name> [--quick] [--json FILE] [--html FILE]";

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

/** The command line, or undefined when it is not one (an unknown option, a missing file name). */
function parse(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { quick: { type: "boolean" }, json: { type: "string" }, html: { type: "string" } },
    });
    return positionals.length === 1 ? { name: positionals[0] as string, ...values } : undefined;
  } catch {
    return undefined;
  }
}

/** The `npm run bench` entry point: parse arguments, run the named benchmark, print and save its report. */
export async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  const packagesDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
  const benchmarks = await findBenchmarks(packagesDir);
  const path = args && benchmarks.get(args.name);
  if (!args || path === undefined) {
    process.stderr.write(
      `${USAGE}\nbenchmarks: ${[...benchmarks.keys()].sort().join(", ") || "none built"}\n`,
    );
    return 2;
  }
  const environment = environmentLine();
  const module = (await import(pathToFileURL(path).href)) as BenchModule;
  startProgressClock();
  const report = await module.run({ quick: args.quick === true });
  process.stdout.write(`${formatReport(report, environment)}\n`);
  if (args.json !== undefined) await writeReportJson(report, args.json);
  if (args.html !== undefined) await writeReportHtml(report, environment, args.html);
  return 0;
}
