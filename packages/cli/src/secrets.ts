import { createInterface } from "node:readline";
import { CliError } from "./errors.js";

/**
 * Where passwords come from: an environment variable if set; else the terminal, read in raw mode so nothing is
 * echoed (the prompt says so); else the next line of stdin (scripts, tests).
 */
export interface Secrets {
  /** `what` names it in the prompt ("password" → `password (not shown): `); `confirm` asks twice on a terminal. */
  ask(what: string, envVar: string, options?: { confirm?: boolean }): Promise<string>;
  close(): void;
}

export function openSecrets(input: NodeJS.ReadStream = process.stdin, output = process.stderr): Secrets {
  let lines: AsyncIterator<string> | undefined;
  let reader: ReturnType<typeof createInterface> | undefined;
  return {
    async ask(what, envVar, options = {}) {
      const fromEnv = process.env[envVar];
      if (fromEnv) return fromEnv;
      if (input.isTTY) {
        const first = await readHidden(input, output, `${what} (not shown): `);
        if (options.confirm && (await readHidden(input, output, `${what} again (not shown): `)) !== first)
          throw new CliError(`the two ${what} entries differ`);
        return first;
      }
      reader ??= createInterface({ input, terminal: false });
      lines ??= reader[Symbol.asyncIterator]();
      const next = await lines.next();
      if (next.done) throw new CliError(`no ${what} given: type it on stdin or set ${envVar}`);
      return next.value;
    },
    close() {
      reader?.close();
    },
  };
}

const ENTER = new Set(["\r", "\n"]);
const CTRL_C = "\u0003";
const CTRL_D = "\u0004";
const CTRL_U = "\u0015";
const ESC = "\u001b";
const BACKSPACE = new Set(["\u007f", "\b"]);

/** One line from a terminal in raw mode, echoing nothing: Backspace and Ctrl-U edit, Ctrl-C cancels, Enter ends. */
function readHidden(
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
  prompt: string,
): Promise<string> {
  output.write(prompt);
  input.setRawMode(true);
  input.setEncoding("utf8");
  input.resume();
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    // Arrow and function keys arrive as escape sequences: ESC [ … final byte, or ESC O x. None is typed text.
    let sequence: "none" | "started" | "csi" = "none";
    const end = (settle: () => void) => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
      settle();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (sequence === "started") sequence = ch === "[" || ch === "O" ? "csi" : "none";
        else if (sequence === "csi") sequence = ch >= "@" && ch <= "~" ? "none" : "csi";
        else if (ENTER.has(ch)) return end(() => resolve(typed.join("")));
        else if (ch === CTRL_C || (ch === CTRL_D && typed.length === 0))
          return end(() => reject(new CliError("cancelled", 130)));
        else if (BACKSPACE.has(ch)) typed.pop();
        else if (ch === CTRL_U) typed = [];
        else if (ch === ESC) sequence = "started";
        else if (ch >= " ") typed.push(ch);
      }
    };
    input.on("data", onData);
  });
}
