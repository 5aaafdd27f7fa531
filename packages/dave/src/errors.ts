/** Typed errors of @parley/dave. Messages describe the input, never key material or media plaintext. */
export type DaveErrorCode =
  | "malformed" // bytes from the gateway do not parse
  | "invalid" // parses, but breaks a DAVE or MLS rule
  | "usage"; // the caller asked for something the session's state cannot do

export class DaveError extends Error {
  override readonly name: string = "DaveError";
  constructor(
    readonly code: DaveErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why the session refused a message that parses and verifies but would break who the call's members are. */
export type TrustRefusalReason =
  | "wrong-group" // a Welcome for an MLS group other than this channel's
  | "credential-changed"; // a member's leaf would name another user, or carry another signature key

/** A refusal of a well-formed message on trust grounds (DAVE group identity, credential continuity). */
export class TrustRefusal extends DaveError {
  override readonly name = "TrustRefusal";
  constructor(
    readonly reason: TrustRefusalReason,
    message: string,
  ) {
    super("invalid", message);
  }
}
