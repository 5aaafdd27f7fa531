/**
 * Typed errors of @parley/mls. Messages describe what was wrong with the input, never
 * secret material (keys, exporter outputs, plaintext).
 */

/** Why an input or operation was refused. */
export type MlsErrorCode =
  | "malformed" // bytes do not decode as the expected structure
  | "truncated" // input ended before the structure did
  | "oversized" // input exceeds a configured size limit
  | "unsupported" // a version, wire format or ciphersuite this build does not handle
  | "invalid" // decodes, but fails an RFC 9420 validity rule or a signature/MAC check
  | "rejected" // the application's validation callback refused it
  | "wrong-epoch" // message for an epoch this state cannot process
  | "wrong-group" // message for another group
  | "state-format" // saved state is not ours or is of another format/engine version
  | "usage"; // the caller asked for something the current state cannot do

export class ParleyMlsError extends Error {
  override readonly name = "ParleyMlsError";
  constructor(
    readonly code: MlsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Wrap whatever the engine threw into a typed error without leaking secret-bearing detail. */
export function asMlsError(err: unknown, code: MlsErrorCode, context: string): ParleyMlsError {
  if (err instanceof ParleyMlsError) return err;
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : "unknown failure";
  return new ParleyMlsError(code, `${context}: ${detail}`, { cause: err });
}
