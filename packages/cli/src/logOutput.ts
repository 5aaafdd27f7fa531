import { prettyFactory } from "pino-pretty";
import { UsageError } from "./errors.js";

/** Where `parley server` and `parley voice-gateway` log, and how. */
export type LogFormat = "json" | "pretty";

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** `--log-format`: pretty for a person at a terminal, JSON lines for anything reading stdout otherwise. */
export function logFormat(value: string | undefined): LogFormat {
  if (value === undefined) return process.stdout.isTTY ? "pretty" : "json";
  if (value === "json" || value === "pretty") return value;
  throw new UsageError(`--log-format must be json or pretty (got ${JSON.stringify(value)})`);
}

/** PARLEY_LOG_LEVEL, checked here so that a typo is a usage error rather than a pino exception. */
export function logLevel(): string {
  const level = process.env.PARLEY_LOG_LEVEL ?? "info";
  if (!LEVELS.includes(level))
    throw new UsageError(
      `PARLEY_LOG_LEVEL must be one of ${LEVELS.join(", ")} (got ${JSON.stringify(level)})`,
    );
  return level;
}

/** Keys every line has, or that pino-pretty shows itself. */
const SHOWN_ELSEWHERE = new Set(["level", "time", "pid", "hostname", "msg"]);

function fieldValue(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** The message, then every other field as key=value on the same line; a logged error's stack below it. */
function messageLine(log: Record<string, unknown>): string {
  const { err, ...rest } = log;
  const error =
    typeof err === "object" && err !== null ? (err as { message?: unknown; stack?: unknown }) : undefined;
  const fields = Object.entries(error ? rest : log).filter(([key]) => !SHOWN_ELSEWHERE.has(key));
  const text = [String(log.msg ?? ""), ...fields.map(([k, v]) => `${k}=${fieldValue(v)}`)].join(" ");
  if (!error) return text;
  const stack = typeof error.stack === "string" ? error.stack : String(error.message);
  return `${text}\n    ${stack.replaceAll("\n", "\n    ")}`;
}

/**
 * The log destination for a format: undefined for JSON (the packages' own stdout destination), else a writer
 * that turns each JSON line into one readable line at once, in-process and synchronously, so nothing is left
 * buffered when the process ends.
 */
export function logStream(format: LogFormat): { write(line: string): void } | undefined {
  if (format === "json") return undefined;
  const pretty = prettyFactory({
    colorize: process.stdout.isTTY === true && !process.env.NO_COLOR,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
    hideObject: true,
    messageFormat: messageLine,
  });
  return { write: (line) => void process.stdout.write(pretty(line)) };
}
