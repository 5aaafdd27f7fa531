import { parseArgsFailure } from "./args.js";
import { clientFailure } from "./clientFailure.js";
import { CliError } from "./errors.js";
import { causeChain, listenFailure } from "./socketErrors.js";

/**
 * Anything a command threw, as the one line `parley` prints and its exit code. `server` is the URL the command
 * was pointed at (its --server or --url), to name in "cannot reach" messages.
 */
export function toCliError(err: unknown, server?: string): CliError {
  if (err instanceof CliError) return err;
  return (
    parseArgsFailure(err) ??
    clientFailure(err, server) ??
    listenFailure(err) ??
    new CliError(err instanceof Error ? err.message : String(err), 1, { cause: err })
  );
}

/** For --debug: the stack of the failure and of each of its causes. */
export function debugReport(err: unknown): string {
  const chain = causeChain(err);
  if (chain.length === 0) return `${String(err)}\n`;
  return chain.map((e, i) => `${i === 0 ? "" : "caused by: "}${e.stack ?? e.message}\n`).join("");
}
