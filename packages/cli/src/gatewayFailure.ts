import { CloseCode, VoiceGatewayError } from "@parley/voice-gateway";
import { CliError } from "./errors.js";
import { connectFailureReason, displayUrl } from "./socketErrors.js";

/** Close codes with which the gateway refuses a connection before or at identify. */
const REFUSALS = new Set<number>([
  CloseCode.decodeError,
  CloseCode.notAuthenticated,
  CloseCode.authenticationFailed,
]);

/** Why a call ended when the gateway (or the network) closed the connection. */
export function closeMeaning(code: number): string {
  switch (code) {
    case CloseCode.serverShutdown:
      return "the voice gateway shut down";
    case CloseCode.sessionTimeout:
      return "the voice gateway gave up waiting for identify";
    case 1006:
      return "the connection to the voice gateway was lost";
    default:
      return `the voice gateway closed the connection (code ${code})`;
  }
}

/** A failed `VoiceGatewayClient.connect` as one line: refused, unreachable, or silent. */
export function joinFailure(err: unknown, url: string, userId: string): CliError {
  const fail = (message: string) => new CliError(message, 1, { cause: err });
  if (!(err instanceof VoiceGatewayError)) return fail(err instanceof Error ? err.message : String(err));
  const { closeCode, closeReason } = err;
  if (closeCode !== undefined && REFUSALS.has(closeCode))
    return fail(`the voice gateway refused user ${userId}: ${closeReason || `close code ${closeCode}`}`);
  if (closeCode !== undefined) return fail(closeMeaning(closeCode));
  if (err.code === "timeout")
    return fail(`${displayUrl(url)} did not answer identify in time; is it a Parley voice gateway?`);
  return fail(`cannot reach ${displayUrl(url)}: ${connectFailureReason(err)}`);
}
