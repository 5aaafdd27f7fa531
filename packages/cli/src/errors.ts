/**
 * What the `parley` command prints when something fails: one line, `parley: <what went wrong>`, and an exit code
 * (1 for a failure, 2 for a usage mistake). Stack traces only with `--debug`. Messages never carry secrets.
 */
export class CliError extends Error {
  override readonly name: string = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The command was called wrongly: the message says how, followed by the command's usage line. */
export class UsageError extends CliError {
  override readonly name = "UsageError";
  constructor(message: string, usage?: string) {
    super(usage ? `${message}\nusage: ${usage}` : message, 2);
  }
}

/** The one line (or, for a usage error, the lines) printed for `err`. */
export function describeError(err: unknown): string {
  if (err instanceof CliError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function exitCodeOf(err: unknown): number {
  return err instanceof CliError ? err.exitCode : 1;
}
