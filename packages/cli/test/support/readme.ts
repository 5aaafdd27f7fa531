import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../../../", import.meta.url));

/** A command the README tells the reader to run, and where. */
export interface ReadmeCommand {
  readonly command: string;
  readonly line: number;
}

const FENCE = /^```(\w*)\s*$/;
const SHELL = new Set(["sh", "bash", "shell", "console"]);
/** Commands given inline in prose: `npx …` or `npm …`. */
const INLINE = /`((?:npx|npm) [^`]+)`/g;

/** The command itself: no `$ ` prompt, no trailing `# comment`. */
function clean(line: string): string {
  return line
    .replace(/^\$ /, "")
    .replace(/\s+#\s.*$/, "")
    .trim();
}

/**
 * Every command in a Markdown file: each line of a `sh`/`bash`/`shell` fenced block, and every inline code span
 * starting with `npx ` or `npm `. Other fences (`text` for sample output) are not commands.
 */
export function readmeCommands(markdown: string): ReadmeCommand[] {
  const found: ReadmeCommand[] = [];
  let fence: string | undefined;
  for (const [i, raw] of markdown.split("\n").entries()) {
    const opening = raw.match(FENCE);
    if (opening) {
      fence = fence === undefined ? (opening[1] ?? "") : undefined;
      continue;
    }
    if (fence === undefined) {
      for (const m of raw.matchAll(INLINE)) found.push({ command: clean(m[1] ?? ""), line: i + 1 });
    } else if (SHELL.has(fence) && clean(raw) !== "") {
      found.push({ command: clean(raw), line: i + 1 });
    }
  }
  return found;
}

export function rootReadme(): string {
  return readFileSync(`${REPO_ROOT}README.md`, "utf8");
}
