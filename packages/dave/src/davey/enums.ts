/*
 * @snazzah/davey's enums and constants. davey declares its enums `const enum`; frozen objects with the same
 * numeric values serve both inlined and looked-up uses, and their literal types are assignable both ways.
 */

/** The type of codec being used. */
export const Codec = Object.freeze({
  UNKNOWN: 0,
  OPUS: 1,
  VP8: 2,
  VP9: 3,
  H264: 4,
  H265: 5,
  AV1: 6,
} as const);
export type Codec = (typeof Codec)[keyof typeof Codec];

/** The type of media being referenced. */
export const MediaType = Object.freeze({ AUDIO: 0, VIDEO: 1 } as const);
export type MediaType = (typeof MediaType)[keyof typeof MediaType];

/** The operation type of an op 27 proposals payload. */
export const ProposalsOperationType = Object.freeze({ APPEND: 0, REVOKE: 1 } as const);
export type ProposalsOperationType = (typeof ProposalsOperationType)[keyof typeof ProposalsOperationType];

/** The status of a DAVE session. */
export const SessionStatus = Object.freeze({
  INACTIVE: 0,
  PENDING: 1,
  AWAITING_RESPONSE: 2,
  ACTIVE: 3,
} as const);
export type SessionStatus = (typeof SessionStatus)[keyof typeof SessionStatus];

/** The maximum supported version of the DAVE protocol. */
export const DAVE_PROTOCOL_VERSION = 1;

/** Whether davey is using a debug build: never, here. */
export const DEBUG_BUILD = false;

/** The @snazzah/davey version whose API this mirrors. */
export const VERSION = "0.1.12";

/** Enum member names by value, for davey's error messages and toString. */
export function memberName(values: Readonly<Record<string, number>>, value: number): string | undefined {
  return Object.keys(values).find((name) => values[name] === value);
}
