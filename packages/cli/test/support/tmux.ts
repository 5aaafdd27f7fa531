import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Whether tmux is installed (the terminal tests skip themselves without it). */
export function haveTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * A program in a real terminal: a detached tmux session (100×30) on its own server socket, so tests never meet
 * each other's or the user's sessions. Keys go in with `send-keys`; what is on screen comes from `capture-pane`.
 */
export class TmuxSession {
  /** The server's socket file, which tmux leaves behind when the server ends. */
  private socketPath = "";

  private constructor(private readonly socket: string) {}

  /** Start `command` (argv, run directly) with `env` added to its environment. */
  static async start(command: string[], env: Record<string, string>): Promise<TmuxSession> {
    const session = new TmuxSession(`parley-test-${process.pid}-${randomBytes(4).toString("hex")}`);
    const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const size = ["-x", "100", "-y", "30"];
    // The pane stays after the program exits, so its last screen can still be read.
    const keep = [";", "set-option", "-w", "-t", "main", "remain-on-exit", "on"];
    await session.tmux("new-session", "-d", "-s", "main", ...size, "env", ...vars, ...command, ...keep);
    session.socketPath = (await session.tmux("display-message", "-p", "#{socket_path}")).stdout.trim();
    return session;
  }

  /** Type text literally (no Enter). */
  async type(text: string): Promise<void> {
    await this.tmux("send-keys", "-t", "main", "-l", text);
  }

  /** Press named keys (Enter, BSpace, C-c, …). */
  async press(...keys: string[]): Promise<void> {
    await this.tmux("send-keys", "-t", "main", ...keys);
  }

  /** The visible screen, trailing blank lines dropped. */
  async screen(): Promise<string> {
    const { stdout } = await this.tmux("capture-pane", "-p", "-t", "main");
    return stdout.replace(/\n+$/, "");
  }

  /** Poll the screen until `predicate` holds (bounded); resolves with that screen. */
  async waitFor(predicate: (screen: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (predicate(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Kill the session and its tmux server, and remove the server's socket file. */
  async kill(): Promise<void> {
    await this.tmux("kill-server").catch(() => undefined);
    if (this.socketPath) await rm(this.socketPath, { force: true });
  }

  private tmux(...args: string[]) {
    return run("tmux", ["-L", this.socket, "-f", "/dev/null", ...args]);
  }
}

/** The last non-empty line on a screen (where the prompt is). */
export const lastLine = (screen: string) =>
  screen
    .split("\n")
    .filter((l) => l.trim() !== "")
    .at(-1) ?? "";
