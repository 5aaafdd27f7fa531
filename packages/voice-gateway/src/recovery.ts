import type { CallState, Participant } from "./callState.js";
import { Op } from "./opcodes.js";
import type { ProposalBatcher } from "./proposalBatch.js";

/*
 * How the call gets back to a group everyone can use: a member that lost its state (op 31, a new key package)
 * is removed and added again, and a group nobody healthy holds is dropped and created again.
 */

/** Drop the group's public state, pending proposals included. */
export function resetGroup(state: CallState, proposals: ProposalBatcher): void {
  state.resetGroup();
  proposals.cancel();
}

/**
 * After someone left or lost its state: a group nobody healthy can commit to, or with a sole member left,
 * is dropped and re-created (protocol.md "Sole member reset"); otherwise proposals follow.
 */
export function afterMembershipChange(state: CallState, proposals: ProposalBatcher): void {
  if (state.established) {
    const healthy = [...state.participants.values()].filter((p) => state.isHealthyMember(p));
    if (state.participants.size <= 1 || healthy.length === 0) {
      recreateGroup(state, proposals);
      return;
    }
  }
  proposals.schedule();
}

/** op 24 epoch 1 to everyone (and op 21 id 0 to a sole member): the group is re-created from key packages. */
export function recreateGroup(state: CallState, proposals: ProposalBatcher): void {
  resetGroup(state, proposals);
  const everyone = [...state.participants.values()];
  for (const p of everyone) {
    p.peer.sendJson(Op.prepareEpoch, { epoch: 1, protocol_version: state.version });
  }
  if (everyone.length === 1) {
    everyone[0]?.peer.sendJson(Op.prepareTransition, { transition_id: 0, protocol_version: state.version });
  }
  state.log.info(
    { present: everyone.length, protocolVersion: state.version },
    "group reset: awaiting key packages",
  );
}

/** op 31: remove the flagging member; it is added again with its next key package. */
export function invalidCommitWelcome(
  state: CallState,
  proposals: ProposalBatcher,
  p: Participant,
  transitionId: number,
): void {
  p.keyPackage = undefined;
  const hadLeaf = p.inGroup;
  p.inGroup = false;
  state.transitions.leave(p.peer.userId);
  state.log.warn(
    { userId: p.peer.userId, transitionId, inGroup: hadLeaf },
    "member reported an invalid commit or welcome",
  );
  if (state.version !== 0) afterMembershipChange(state, proposals);
}
