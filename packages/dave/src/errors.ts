/** Typed errors of @parley/dave. Messages describe the input, never key material or media plaintext. */
export type DaveErrorCode =
  | "malformed" // bytes from the gateway do not parse
  | "invalid" // parses, but breaks a DAVE or MLS rule
  | "usage"; // the caller asked for something the session's state cannot do

export class DaveError extends Error {
  override readonly name = "DaveError";
  constructor(
    readonly code: DaveErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
