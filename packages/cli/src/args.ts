import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parse a command's arguments strictly; anything it does not take (an unknown option, a missing value, a stray
 * word) is a usage error that ends with the command's usage line.
 */
export function parseCommand<O extends Options>(
  args: string[],
  options: O,
  usage: string,
  positionals = 0,
): {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>["values"];
  words: string[];
} {
  let parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's message goes on to explain `--`; its first sentence says what is wrong.
    throw new UsageError((err as Error).message.split(/\.\s/)[0] ?? "bad arguments", usage);
  }
  if (parsed.positionals.length > positionals)
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals])}`, usage);
  return { values: parsed.values, words: parsed.positionals };
}
