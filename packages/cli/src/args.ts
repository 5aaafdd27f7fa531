import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./errors.js";

/** node:util parseArgs' errors (ERR_PARSE_ARGS_*), reworded; undefined for other errors. */
export function parseArgsFailure(err: unknown): UsageError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) return undefined;
  const message = (err as Error).message;
  const quoted = message.match(/'([^' ]+)/)?.[1] ?? "";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`unknown option ${quoted}`);
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new UsageError(`unexpected argument ${JSON.stringify(quoted)}`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return new UsageError(
        message.includes("does not take") ? `${quoted} takes no value` : `${quoted} needs a value`,
      );
    default:
      return new UsageError(message.split("\n")[0] ?? message);
  }
}

/** The value of `--name` in raw arguments (`--name V` or `--name=V`), to name a target in errors. */
export function flagValue(args: readonly string[], name: string): string | undefined {
  const flag = `--${name}`;
  for (const [i, arg] of args.entries()) {
    if (arg === flag) return args[i + 1];
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}

/** A required option's value, or a usage error naming it. */
export function required(value: string | undefined, flag: string, placeholder: string): string {
  if (value === undefined || value === "") throw new UsageError(`missing ${flag} ${placeholder}`);
  return value;
}

/** A TCP port, 0 (any free port) to 65535. */
export function port(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n <= 65535))
    throw new UsageError(`--port must be a number from 0 to 65535 (got ${JSON.stringify(value)})`);
  return n;
}

/** A whole number ≥ 1, or undefined when absent. */
export function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,15}$/.test(value) ? Number(value) : 0;
  if (n < 1)
    throw new UsageError(`${flag} must be a whole number of at least 1 (got ${JSON.stringify(value)})`);
  return n;
}

/** A Discord-style id: a decimal number below 2^64. */
export function snowflake(value: string, flag: string): string {
  if (!/^\d{1,20}$/.test(value) || BigInt(value) >= 2n ** 64n)
    throw new UsageError(`${flag} must be a decimal id such as 1001 (got ${JSON.stringify(value)})`);
  return value;
}

/** A URL with one of `protocols` (e.g. "ws:"). */
export function url(value: string, flag: string, protocols: readonly string[]): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !protocols.includes(parsed.protocol)) {
    const schemes = protocols.map((p) => `${p}//`).join(" or ");
    throw new UsageError(`${flag} must be a ${schemes} URL`); // not echoed: it may hold a password
  }
  return value;
}

type Options = NonNullable<ParseArgsConfig["options"]>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>;

/**
 * Parse a command's arguments strictly; anything it does not take (an unknown option, a missing value, a stray
 * word beyond `positionals`) is a usage error that ends with the command's usage line.
 */
export function parseCommand<O extends Options>(
  args: string[],
  options: O,
  usage: string,
  positionals = 0,
): { values: Parsed<O>["values"]; words: string[] } {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const failure = parseArgsFailure(err);
    if (!failure) throw err;
    throw new UsageError(failure.message, usage);
  }
  if (parsed.positionals.length > positionals)
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals])}`, usage);
  return { values: parsed.values, words: parsed.positionals };
}
