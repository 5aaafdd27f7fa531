import { type CallState, MAX_DAVE_PROTOCOL_VERSION } from "./callState.js";
import { Op } from "./opcodes.js";
import type { ProposalBatcher } from "./proposalBatch.js";
import { recreateGroup, resetGroup } from "./recovery.js";

/*
 * Protocol version changes (protocol.md "Protocol Version Changes"): the call runs at version 0 (passthrough)
 * while anyone present lacks DAVE, at version 1 otherwise.
 */

/** A client without DAVE joined: everyone moves to passthrough (op 21 version 0, op 23, op 22). */
export function downgrade(state: CallState, proposals: ProposalBatcher): void {
  state.version = 0;
  resetGroup(state, proposals);
  const dave = [...state.participants.values()].filter((p) => p.peer.maxVersion >= 1).map((p) => p.peer);
  if (dave.length === 0) return;
  const id = state.transitions.allocateId();
  for (const peer of dave) peer.sendJson(Op.prepareTransition, { transition_id: id, protocol_version: 0 });
  state.startTransition(
    id,
    dave.map((peer) => peer.userId),
  );
  state.log.info({ transitionId: id, members: dave.length }, "downgrade to protocol version 0");
}

/** The last client without DAVE left: a new group is created at version 1. */
export function upgrade(state: CallState, proposals: ProposalBatcher): void {
  state.version = MAX_DAVE_PROTOCOL_VERSION;
  state.log.info({ present: state.participants.size }, "upgrade to protocol version 1");
  recreateGroup(state, proposals);
}
