import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { goalSummary } from "./goals.js";
import { advantage, type BenchReport, type BenchRow } from "./report.js";
import { tableCells } from "./table.js";

const OURS_COLOUR = "#1f6feb";
const PEER_COLOUR = "#8c959f";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON that is safe inside a <script> element: no "<" can close it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

/**
 * Chart.js's UMD build, read from node_modules when the report is written so that the page works offline.
 * The package's exports map hides dist/chart.umd.js, so it is found beside the resolved ES build.
 */
async function chartLibrary(): Promise<string> {
  const path = fileURLToPath(new URL("chart.umd.js", import.meta.resolve("chart.js")));
  const code = await readFile(path, "utf8");
  return code.replace(/^\/\/# sourceMappingURL=.*$/m, "").replace(/<\/script/gi, "<\\/script");
}

/** A case's size, if its name has one: the last dash-separated number, optionally after a letter (n100, s10, 50). */
function sized(name: string): { series: string; size: number } | undefined {
  const parts = name.split("-");
  for (let i = parts.length - 1; i >= 0; i--) {
    const match = /^([a-z]?)(\d+)$/i.exec(parts[i] ?? "");
    if (match) {
      parts[i] = `${match[1]}N`;
      return { series: parts.join("-"), size: Number(match[2]) };
    }
  }
  return undefined;
}

/** Cases measured at more than one size, by series name (the case with its size replaced by N). */
function sizeSeries(rows: readonly BenchRow[]): Map<string, { size: number; row: BenchRow }[]> {
  const series = new Map<string, { size: number; row: BenchRow }[]>();
  for (const row of rows) {
    const s = sized(row.case);
    if (s) series.set(s.series, [...(series.get(s.series) ?? []), { size: s.size, row }]);
  }
  for (const [name, points] of series) {
    if (points.length < 2) series.delete(name);
    else points.sort((a, b) => a.size - b.size);
  }
  return series;
}

const logAxis = (title: string) => ({ type: "logarithmic", title: { display: true, text: title } });

interface ChartBlock {
  readonly spec: object;
  /** A CSS height for charts that grow with their cases. */
  readonly height?: number;
}

/** One line chart per series that varies by size (cost against size), one bar chart of ours/peer for the rest. */
function charts(report: BenchReport): ChartBlock[] {
  const series = sizeSeries(report.rows);
  const lines: ChartBlock[] = [...series].map(([name, points]) => {
    const { unit, better } = (points[0] as { row: BenchRow }).row;
    const line = (label: string, colour: string, pick: (r: BenchRow) => number) => ({
      label,
      borderColor: colour,
      backgroundColor: colour,
      data: points.map(({ size, row }) => ({ x: size, y: pick(row) })),
    });
    const datasets = [
      line("ours", OURS_COLOUR, (r) => r.ours),
      line(report.peer, PEER_COLOUR, (r) => r.peer),
    ];
    return {
      spec: {
        type: "line",
        data: { datasets },
        options: {
          animation: false,
          plugins: { title: { display: true, text: `${name} (${better} is better)` } },
          scales: { x: logAxis("size"), y: logAxis(unit) },
        },
      },
    };
  });
  const inSeries = new Set([...series.values()].flat().map((p) => p.row));
  const bars = report.rows.filter((r) => !inSeries.has(r) && Number.isFinite(advantage(r)));
  if (bars.length === 0) return lines;
  const bar: ChartBlock = {
    height: 80 + 22 * bars.length,
    spec: {
      type: "bar",
      data: {
        labels: bars.map((r) => `${r.case} (${r.better} is better)`),
        datasets: [
          { label: `${report.peer} = 1`, backgroundColor: PEER_COLOUR, data: bars.map(() => 1) },
          { label: "ours / peer", backgroundColor: OURS_COLOUR, data: bars.map((r) => r.ours / r.peer) },
        ],
      },
      options: {
        animation: false,
        indexAxis: "y",
        maintainAspectRatio: false,
        plugins: { title: { display: true, text: "ours relative to the peer, per case" } },
      },
    },
  };
  return [...lines, bar];
}

function tableHtml(report: BenchReport): string {
  const { header, body } = tableCells(report);
  const row = (tag: string, cells: string[]) =>
    `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join("")}</tr>`;
  return `<table>\n<thead>${row("th", header)}</thead>\n<tbody>\n${body.map((r) => row("td", r)).join("\n")}\n</tbody>\n</table>`;
}

/** A self-contained page: where it ran, the table with goals, the notes, and charts of ours vs the peer. */
export async function renderReportHtml(report: BenchReport, environment: string): Promise<string> {
  const all = charts(report);
  // Line charts share a grid; a bar chart spans it, as tall as its cases need.
  const canvases = all.map(({ height }, i) => {
    const style = height === undefined ? "" : ` class="wide" style="height:${height}px"`;
    return `<div${style}><canvas id="chart-${i}"></canvas></div>`;
  });
  const title = `${report.name}: ours vs ${report.peer}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #1f2328; }
table { border-collapse: collapse; }
th, td { padding: 2px 10px; border-bottom: 1px solid #d0d7de; text-align: right; }
th:first-child, td:first-child, th:last-child, td:last-child { text-align: left; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 1em; }
.wide { grid-column: 1 / -1; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(environment)}</p>
${tableHtml(report)}
<p>${escapeHtml(goalSummary(report.rows))}</p>
<pre>${escapeHtml((report.notes ?? []).join("\n"))}</pre>
<div class="charts">
${canvases.join("\n")}
</div>
<script>${await chartLibrary()}</script>
<script>
const specs = ${scriptJson(all.map((c) => c.spec))};
specs.forEach((spec, i) => new Chart(document.getElementById("chart-" + i), spec));
</script>
</body>
</html>
`;
}

export async function writeReportHtml(report: BenchReport, environment: string, path: string): Promise<void> {
  await writeFile(path, await renderReportHtml(report, environment));
}
