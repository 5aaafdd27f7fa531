import type { CallState, Participant, Peer } from "./callState.js";
import { type AcceptedCommit, validateCommit } from "./commit.js";
import { VoiceGatewayError } from "./errors.js";
import { withTransitionId } from "./framing.js";
import { Op } from "./opcodes.js";

/**
 * op 28 judged against the epoch's proposals (protocol.md "Voice Gateway Commit Validity"). A refused commit
 * is counted and its error thrown: it is dropped, never broadcast.
 */
export async function acceptCommit(
  state: CallState,
  peer: Peer,
  payload: Uint8Array,
): Promise<AcceptedCommit> {
  const p = state.current(peer);
  if (state.version === 0)
    throw new VoiceGatewayError("wrong-state", "commit while the call is at version 0");
  try {
    return await validateCommit(payload, {
      groupId: state.groupId,
      epoch: state.epoch,
      established: state.established,
      roster: state.roster,
      expected: state.book
        .unrevoked()
        .filter((e) => state.established || !(e.body.type === "add" && e.body.userId === peer.userId)),
      committer: { userId: peer.userId, signatureKey: p.signatureKey },
    });
  } catch (err) {
    state.commitsRejected++;
    throw err;
  }
}

/**
 * The winner moves the group to the next epoch: op 29 to the members who process it, op 30 (Welcome) to the
 * added ones, then the transition.
 */
export function broadcastCommit(state: CallState, committer: Peer, accepted: AcceptedCommit): void {
  const processing = state.established
    ? [...state.participants.values()].filter(
        (p) =>
          state.isHealthyMember(p) && !accepted.removed.includes(state.roster.leafOf(p.peer.userId) ?? -1),
      )
    : [state.current(committer)];
  const fromEpoch = state.epoch;
  state.established = true;
  state.epoch += 1n;
  state.roster = accepted.roster;
  state.book.clear();
  state.commitsBroadcast++;
  for (const p of processing) {
    p.keyPackage = undefined;
    p.inGroup = true;
  }
  const welcomed: Participant[] = [];
  for (const { userId } of accepted.added) {
    const p = state.participants.get(userId);
    if (!p) continue;
    p.keyPackage = undefined;
    p.inGroup = true;
    welcomed.push(p);
  }

  const id = state.transitions.allocateId();
  const announce = withTransitionId(id, accepted.commit);
  for (const p of processing) p.peer.sendBinary(Op.announceCommitTransition, announce);
  if (accepted.welcome) {
    const welcome = withTransitionId(id, accepted.welcome);
    for (const p of welcomed) p.peer.sendBinary(Op.welcome, welcome);
  }
  state.startTransition(
    id,
    [...processing, ...welcomed].map((p) => p.peer.userId),
  );
  state.log.info(
    {
      committer: committer.userId,
      fromEpoch,
      epoch: state.epoch,
      transitionId: id,
      added: accepted.added.length,
      removed: accepted.removed.length,
      members: state.roster.size,
    },
    "commit broadcast",
  );
}
