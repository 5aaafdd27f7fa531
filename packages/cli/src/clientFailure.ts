import { ParleyClientError } from "@parley/client";
import { CliError, UsageError } from "./errors.js";
import { connectFailureReason, connectTarget, displayUrl } from "./socketErrors.js";

/** The server's own message in a client error (`ROUTE: HTTP 409 code: message`); servers write them for people. */
function serverMessage(err: ParleyClientError): string | undefined {
  return err.message.match(/: HTTP \d{3}(?: [\w-]+)?: (.+)$/s)?.[1];
}

/**
 * A @parley/client failure in the words of someone at a terminal; undefined for other errors. `server` is the URL
 * the command was given, to name it when it cannot be reached.
 */
export function clientFailure(err: unknown, server: string | undefined): CliError | undefined {
  if (!(err instanceof ParleyClientError)) return undefined;
  const fail = (message: string) => new CliError(message, 1, { cause: err });
  const where = server ? displayUrl(server) : (connectTarget(err) ?? "the server");
  switch (err.code) {
    case "network":
      return fail(`cannot reach ${where}: ${connectFailureReason(err)}`);
    case "unauthorized":
      return fail(
        err.details.serverCode === "bad_credentials"
          ? "wrong username or password"
          : "the server no longer accepts this device's session (expired or revoked); run parley login",
      );
    case "rate-limited":
      return fail("the server is rate-limiting this device; try again in a minute");
    case "server-error":
      return fail(`the server failed (HTTP ${err.details.status ?? "5xx"}); its log says why`);
    case "malformed-response":
    case "unexpected-status":
      return fail(`${where} did not answer as a Parley server does (${err.message})`);
    case "not-logged-in":
      return fail("no device is logged in in this store; run parley register or parley login first");
    case "usage":
      return new UsageError(err.message);
    default:
      return fail(serverMessage(err) ?? err.message);
  }
}
