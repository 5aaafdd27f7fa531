/**
 * Typed errors of @parley/voice-gateway. Messages describe what was wrong with the input (sizes, ops, ids,
 * epochs), never key material.
 */
export type VoiceGatewayErrorCode =
  | "malformed" // a frame or payload does not decode
  | "truncated" // a binary frame ends before its fields do
  | "oversized" // a frame exceeds the configured limit
  | "unknown-op" // an opcode this side does not accept
  | "not-identified" // a DAVE op before identify
  | "invalid-identify" // identify with bad fields, a duplicate user, or a second identify
  | "invalid-key-package" // op 26 fails DAVE's key package validation
  | "invalid-commit" // op 28 is not the valid commit the gateway expects
  | "invalid-welcome" // op 28's Welcome does not match the commit's adds
  | "wrong-state" // a valid message the call cannot use now (e.g. a key package at version 0)
  | "closed" // client side: the connection closed
  | "timeout"; // client side: the gateway did not answer in time

export class VoiceGatewayError extends Error {
  override readonly name = "VoiceGatewayError";
  /** Client side, `closed` by the gateway: its WebSocket close code and reason (why it refused). */
  readonly closeCode: number | undefined;
  readonly closeReason: string | undefined;
  constructor(
    readonly code: VoiceGatewayErrorCode,
    message: string,
    options: { cause?: unknown; closeCode?: number; closeReason?: string } = {},
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.closeCode = options.closeCode;
    this.closeReason = options.closeReason;
  }
}

/** Wrap anything thrown while reading client input, keeping only a non-secret description. */
export function asGatewayError(
  err: unknown,
  code: VoiceGatewayErrorCode,
  context: string,
): VoiceGatewayError {
  if (err instanceof VoiceGatewayError) return err;
  const detail = err instanceof Error ? err.message : "unknown failure";
  return new VoiceGatewayError(code, `${context}: ${detail}`, { cause: err });
}
