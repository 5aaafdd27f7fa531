import { CliError } from "./errors.js";

/** Node's and undici's error codes for a connection that failed, in words. */
const CONNECT_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed (try again)",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed by the other side",
  UND_ERR_HEADERS_TIMEOUT: "no answer in time",
  DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is self-signed",
  CERT_HAS_EXPIRED: "its TLS certificate has expired",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its TLS certificate is not trusted",
  ERR_TLS_CERT_ALTNAME_INVALID: "its TLS certificate is for another host",
};

interface SystemError extends Error {
  code?: unknown;
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
}

/** `err` and its causes, outermost first (bounded, in case of a cycle). */
export function causeChain(err: unknown): SystemError[] {
  const chain: SystemError[] = [];
  for (let e = err; e instanceof Error && chain.length < 10; e = e.cause) chain.push(e);
  return chain;
}

/** Why a connection failed, from the first error in the cause chain that says; else the innermost message. */
export function connectFailureReason(err: unknown): string {
  const chain = causeChain(err);
  for (const e of chain) {
    if (e.name === "TimeoutError") return "no answer in time";
    const reason = typeof e.code === "string" ? CONNECT_REASONS[e.code] : undefined;
    if (reason) return reason;
  }
  return chain.at(-1)?.message ?? String(err);
}

/** host:port (or the host) the cause chain says a connection was attempted to, when it says. */
export function connectTarget(err: unknown): string | undefined {
  for (const e of causeChain(err)) {
    if (typeof e.address === "string" && typeof e.port === "number") return `${e.address}:${e.port}`;
    if (typeof e.hostname === "string") return e.hostname;
  }
  return undefined;
}

/** A failure to listen (EADDRINUSE and co.), as one line; undefined for anything else. */
export function listenFailure(err: unknown): CliError | undefined {
  const e = err as SystemError;
  if (!(err instanceof Error) || (e.syscall !== "listen" && e.syscall !== "bind")) return undefined;
  const port = typeof e.port === "number" ? e.port : "?";
  const host = typeof e.address === "string" ? e.address : "this host";
  switch (e.code) {
    case "EADDRINUSE":
      return new CliError(`port ${port} is in use`, 1, { cause: err });
    case "EACCES":
      return new CliError(`no permission to listen on port ${port}`, 1, { cause: err });
    case "EADDRNOTAVAIL":
      return new CliError(`cannot listen on ${host}: not an address of this machine`, 1, { cause: err });
    default:
      return new CliError(`cannot listen on ${host} port ${port}: ${err.message}`, 1, { cause: err });
  }
}

/** A URL fit to print: user name and password removed. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.href.replace(/\/$/, url.endsWith("/") ? "/" : "");
  } catch {
    return url;
  }
}
