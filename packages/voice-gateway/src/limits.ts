import { VoiceGatewayError } from "./errors.js";
import type { Frame } from "./framing.js";
import { Op } from "./opcodes.js";

/**
 * The largest client message the gateway takes, in bytes of the whole WebSocket message (a binary frame's op
 * byte included). Anything larger closes the connection with 4101 (messageTooLarge).
 */
export interface PayloadLimits {
  /** Any other text op. Text frames over the largest text limit are refused before they are parsed as JSON. */
  readonly text: number;
  /** op 0. */
  readonly identify: number;
  /** op 3. */
  readonly heartbeat: number;
  /** op 23. */
  readonly readyForTransition: number;
  /** op 31. */
  readonly invalidCommitWelcome: number;
  /** op 26: one MLS KeyPackage. */
  readonly keyPackage: number;
  /** op 28: a commit and the Welcome for everyone it adds. */
  readonly commitWelcome: number;
  /** Any other binary op, the relay's media frames (op 200) among them. */
  readonly binary: number;
}

const KiB = 1024;

export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = {
  text: 4 * KiB,
  identify: 4 * KiB,
  heartbeat: 1 * KiB,
  readyForTransition: 1 * KiB,
  invalidCommitWelcome: 1 * KiB,
  keyPackage: 16 * KiB,
  commitWelcome: 1024 * KiB,
  binary: 256 * KiB,
};

/** Which limit applies to a text (JSON) op; any other text op has the text limit. */
const JSON_OP_LIMITS: ReadonlyMap<number, keyof PayloadLimits> = new Map([
  [Op.identify, "identify"],
  [Op.heartbeat, "heartbeat"],
  [Op.readyForTransition, "readyForTransition"],
  [Op.invalidCommitWelcome, "invalidCommitWelcome"],
] as const);

/** Which limit applies to a binary op; any other binary op has the binary limit. */
const BINARY_OP_LIMITS: ReadonlyMap<number, keyof PayloadLimits> = new Map([
  [Op.keyPackage, "keyPackage"],
  [Op.commitWelcome, "commitWelcome"],
] as const);

/** The defaults with `overrides` applied (unknown names ignored); each must be a positive integer. */
export function resolvePayloadLimits(overrides: Partial<PayloadLimits> = {}): PayloadLimits {
  const limits: { -readonly [K in keyof PayloadLimits]: number } = { ...DEFAULT_PAYLOAD_LIMITS };
  for (const name of Object.keys(limits) as Array<keyof PayloadLimits>) {
    const value = overrides[name] ?? limits[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`payloadLimits.${name} must be a positive integer`);
    }
    limits[name] = value;
  }
  return limits;
}

/** The largest message any limit allows. */
export function largestLimit(limits: PayloadLimits): number {
  return Math.max(...Object.values(limits));
}

/** Refuse a text frame no text op could take, before anything parses it. */
export function checkTextSize(limits: PayloadLimits, bytes: number): void {
  const limit = Math.max(limits.text, ...[...JSON_OP_LIMITS.values()].map((name) => limits[name]));
  if (bytes > limit) throw tooLarge("text frame", bytes, limit);
}

/** Refuse a decoded frame over its op's limit; `bytes` is the whole message's size. */
export function checkFrameSize(limits: PayloadLimits, frame: Frame, bytes: number): void {
  const name =
    frame.kind === "json"
      ? (JSON_OP_LIMITS.get(frame.op) ?? "text")
      : (BINARY_OP_LIMITS.get(frame.op) ?? "binary");
  const limit = limits[name];
  if (bytes > limit) throw tooLarge(`op ${frame.op} message`, bytes, limit);
}

function tooLarge(what: string, bytes: number, limit: number): VoiceGatewayError {
  return new VoiceGatewayError("oversized", `${what} of ${bytes} bytes is over the ${limit}-byte limit`);
}
