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

/**
 * The command was called wrongly: the message says how; `parley` prints the command's usage line after it
 * (`usage` when given, else the command's own from usage.ts).
 */
export class UsageError extends CliError {
  override readonly name = "UsageError";
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message, 2);
  }
}
