import { DaveError } from "../errors.js";
import { toSnowflake } from "../session/snowflake.js";

/*
 * The voice gateway's DAVE payloads, checked before use (dave-notes "Voice gateway opcodes"): anything of the
 * wrong shape throws a DaveError "malformed" that names the field, never echoing the payload.
 */

export interface PrepareTransition {
  readonly transitionId: number;
  readonly protocolVersion: number;
}

export interface PrepareEpoch {
  readonly epoch: number;
  readonly protocolVersion: number;
}

/** op 29 / op 30: `uint16 BE transition_id ‖ body` (a commit MLSMessage or a bare Welcome). */
export interface TransitionMessage {
  readonly transitionId: number;
  readonly body: Uint8Array;
}

function fields(d: unknown, what: string): Record<string, unknown> {
  if (typeof d !== "object" || d === null || Array.isArray(d)) {
    throw new DaveError("malformed", `${what} payload is not an object`);
  }
  return d as Record<string, unknown>;
}

function integer(value: unknown, what: string, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw new DaveError("malformed", `${what} is not an integer in 0–${max}`);
  }
  return value;
}

/** Snowflakes travel as decimal strings (they exceed 2^53); returned in canonical form. */
function userId(value: unknown, what: string): string {
  try {
    if (typeof value !== "string") throw new TypeError();
    return toSnowflake(value).toString();
  } catch {
    throw new DaveError("malformed", `${what} is not a user id string`);
  }
}

const protocolVersion = (value: unknown, what: string) => integer(value, `${what} protocol version`, 0xffff);
const transitionId = (value: unknown, what: string) => integer(value, `${what} transition id`, 0xffff);

/** op 4: only `dave_protocol_version` matters here; the rest belongs to the transport. */
export function parseSessionDescription(d: unknown): number {
  return protocolVersion(fields(d, "session description").dave_protocol_version, "session description");
}

/** op 11: the users joining the call. */
export function parseClientsConnect(d: unknown): string[] {
  const ids = fields(d, "clients_connect").user_ids;
  if (!Array.isArray(ids)) throw new DaveError("malformed", "clients_connect user_ids is not an array");
  return ids.map((id, i) => userId(id, `clients_connect user_ids[${i}]`));
}

/** op 13: the user leaving the call. */
export function parseClientDisconnect(d: unknown): string {
  return userId(fields(d, "client_disconnect").user_id, "client_disconnect user_id");
}

/** op 21. */
export function parsePrepareTransition(d: unknown): PrepareTransition {
  const f = fields(d, "prepare_transition");
  return {
    transitionId: transitionId(f.transition_id, "prepare_transition"),
    protocolVersion: protocolVersion(f.protocol_version, "prepare_transition"),
  };
}

/** op 22. */
export function parseExecuteTransition(d: unknown): number {
  return transitionId(fields(d, "execute_transition").transition_id, "execute_transition");
}

/** op 24. */
export function parsePrepareEpoch(d: unknown): PrepareEpoch {
  const f = fields(d, "prepare_epoch");
  return {
    epoch: integer(f.epoch, "prepare_epoch epoch", Number.MAX_SAFE_INTEGER),
    protocolVersion: protocolVersion(f.protocol_version, "prepare_epoch"),
  };
}

/** op 29 / op 30 payload after the opcode byte. */
export function parseTransitionMessage(payload: Uint8Array, what: string): TransitionMessage {
  if (payload.length < 2) throw new DaveError("malformed", `${what} is too short for a transition id`);
  return {
    transitionId: ((payload[0] as number) << 8) | (payload[1] as number),
    body: payload.subarray(2),
  };
}
