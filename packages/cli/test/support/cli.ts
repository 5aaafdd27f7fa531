import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The `parley` command as npm links it: the committed bin shim. */
export const PARLEY_BIN = fileURLToPath(new URL("../../../bin/parley.js", import.meta.url));

export interface CliOptions {
  /** Added to the parent's environment (PARLEY_HOME should point at a temp dir, see `tempHome`). */
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /**
   * Run `args[0]` as a shell command line (`bash -c`), as a reader would type it (the README's commands,
   * verbatim), instead of `parley ARGS`. It runs in its own process group, so a signal reaches what it started.
   */
  readonly shell?: boolean;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A running `parley` child process. `waitFor` resolves on output (stdout or stderr) matching a pattern, so tests
 * wait on what the program says, never on a fixed delay; every wait is bounded.
 */
export class CliProcess {
  stdout = "";
  stderr = "";
  /** stdout and stderr interleaved as they arrived; `mark()` is a position in it. */
  output = "";
  readonly exited: Promise<CliResult>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiters = new Set<() => void>();

  private readonly group: boolean;

  constructor(args: string[], options: CliOptions = {}) {
    this.group = options.shell === true;
    const [file, argv] = this.group
      ? ["bash", ["-c", args.join(" ")]]
      : [process.execPath, [PARLEY_BIN, ...args]];
    this.child = spawn(file, argv, {
      cwd: options.cwd,
      env: childEnv(options.env),
      detached: this.group,
    });
    this.child.stdout.setEncoding("utf8").on("data", (s: string) => this.append("stdout", s));
    this.child.stderr.setEncoding("utf8").on("data", (s: string) => this.append("stderr", s));
    this.exited = new Promise((resolve) =>
      this.child.on("close", (code, signal) =>
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }),
      ),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The current end of `output`, to wait for something printed after it. */
  mark(): number {
    return this.output.length;
  }

  /** Resolve with the first match of `pattern` in what was printed from `since` on (so far or later). */
  waitFor(pattern: RegExp, timeoutMs = 60_000, since = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.output.slice(since).match(pattern);
        if (!match) return false;
        done();
        resolve(match);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${pattern}; output so far:\n${this.output}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(onOutput);
      };
      const onOutput = () => void check();
      if (!check()) this.waiters.add(onOutput);
    });
  }

  write(text: string): void {
    this.child.stdin.write(text);
  }

  endInput(): void {
    this.child.stdin.end();
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (!this.group || this.child.pid === undefined) this.child.kill(signal);
    else
      try {
        process.kill(-this.child.pid, signal);
      } catch {
        // the group is gone already
      }
  }

  /** SIGTERM (a graceful stop), SIGKILL if it has not exited within `graceMs`; resolves once it has exited. */
  async stop(graceMs = 5000): Promise<CliResult> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }

  /** Wait (bounded) for the process to end by itself; killed if it does not. */
  async finished(timeoutMs = 60_000): Promise<CliResult> {
    const timer = setTimeout(() => this.kill("SIGKILL"), timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }

  /** Type `/quit` and wait (bounded) for the exit. */
  quit(timeoutMs = 60_000): Promise<CliResult> {
    this.write("/quit\n");
    return this.finished(timeoutMs);
  }

  private append(stream: "stdout" | "stderr", text: string): void {
    this[stream] += text;
    this.output += text;
    for (const waiter of [...this.waiters]) waiter();
  }
}

/**
 * The parent's environment, less the test runner's marker (a `node --test` started by a child would otherwise
 * report to this runner in its wire format instead of printing), plus `extra`.
 */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Run `parley ARGS` to completion (bounded: killed after `timeoutMs`), with `input` on its stdin. */
export async function runCli(
  args: string[],
  options: CliOptions & { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const child = new CliProcess(args, options);
  child.write(options.input ?? "");
  child.endInput();
  return child.finished(options.timeoutMs);
}

/** A fresh PARLEY_HOME (profiles, stores) in a temp dir, so no test touches the user's ~/.parley. */
export async function tempHome(): Promise<{
  dir: string;
  env: { PARLEY_HOME: string };
  remove(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), "parley-cli-"));
  return { dir, env: { PARLEY_HOME: dir }, remove: () => rm(dir, { recursive: true, force: true }) };
}

export const TEST_PASSWORD = "correct horse battery";

/** `parley register` for `username` on `server` into the profiles of `env` (PARLEY_HOME); it must succeed. */
export async function registerUser(
  server: string,
  username: string,
  env: Record<string, string>,
): Promise<void> {
  const result = await runCli(["register", "--server", server, "--username", username], {
    env: { ...env, PARLEY_PASSWORD: TEST_PASSWORD },
  });
  if (result.code !== 0) throw new Error(`register ${username} failed: ${result.stderr}`);
}

/** `parley chat --username NAME` as a running process (stdin is a pipe: no prompts, plain lines). */
export function startChat(username: string, env: Record<string, string>): CliProcess {
  return new CliProcess(["chat", "--username", username], { env });
}
