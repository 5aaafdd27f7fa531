import { clearLine, clearScreenDown, cursorTo, type Interface, moveCursor } from "node:readline";
import { clock } from "./time.js";

/**
 * The chat's output. On a terminal each line goes above the prompt: the input line is cleared, the line printed,
 * and the prompt redrawn with what was typed so far (`prompt(true)` keeps the cursor), so an incoming message
 * never lands in the middle of one's typing. Elsewhere (pipes, tests) lines are just written, without prompts.
 */
export class ChatView {
  constructor(
    private readonly rl: Interface,
    private readonly out: NodeJS.WriteStream,
    readonly terminal: boolean,
  ) {}

  /** Print `text` (one or more lines), each stamped `HH:MM` of `at` (default: now). */
  print(text: string, at = Date.now()): void {
    const stamped = text
      .split("\n")
      .map((line) => `${clock(at)} ${line}`)
      .join("\n");
    if (!this.terminal) {
      this.out.write(`${stamped}\n`);
      return;
    }
    clearLine(this.out, 0);
    cursorTo(this.out, 0);
    this.out.write(`${stamped}\n`);
    this.rl.prompt(true);
  }

  setPrompt(prompt: string): void {
    this.rl.setPrompt(prompt);
    if (this.terminal) this.rl.prompt(true);
  }

  /** Take a message just entered off the screen: its echo, with its state, replaces it. */
  eraseEntered(line: string): void {
    if (!this.terminal) return;
    const rows = Math.max(
      1,
      Math.ceil((this.rl.getPrompt().length + line.length) / (this.out.columns || 80)),
    );
    moveCursor(this.out, 0, -rows);
    cursorTo(this.out, 0);
    clearScreenDown(this.out);
  }
}
