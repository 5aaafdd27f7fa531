import {
  type ClientState,
  CodecError,
  type IncomingMessageCallback,
  type MLSMessage,
  MlsError,
  makePskIndex,
  type ProposalWithSender,
  type PublicMessage,
  processMessage,
  processProposal,
  UsageError,
  unprotectPrivateMessage,
  unprotectPublicMessage,
} from "../engine.js";
import { asMlsError, ParleyMlsError } from "../errors.js";
import type { MlsSuite } from "../suite.js";
import { externalSendersOf } from "./externalSenders.js";

/** What a validation callback is shown before a handshake message changes the group. */
export type IncomingHandshake =
  | {
      kind: "commit";
      /** Committer's leaf, or undefined for an external commit. */
      senderLeafIndex: number | undefined;
      proposals: ReadonlyArray<{
        proposal: ProposalWithSender["proposal"];
        senderLeafIndex: number | undefined;
      }>;
    }
  | { kind: "proposal"; proposal: ProposalWithSender["proposal"]; senderLeafIndex: number | undefined };

/** Return true to accept; false or a reason string to refuse (the group is then left unchanged). */
export type HandshakeValidator = (incoming: IncomingHandshake) => boolean | string;

export type ProcessedHandshake = {
  newState: ClientState;
  kind: "commit" | "proposal";
  senderLeafIndex: number | undefined;
  consumed: Uint8Array[];
};

export type ProcessedApplication = {
  newState: ClientState;
  data: Uint8Array;
  senderLeafIndex: number;
  authenticatedData: Uint8Array;
  epoch: bigint;
  consumed: Uint8Array[];
};

/**
 * Application PrivateMessages are decrypted here rather than by the engine's processMessage, because only
 * the unprotected content tells who sent it, and the engine's result drops it.
 */
export async function decryptApplication(
  state: ClientState,
  message: MLSMessage & { wireformat: "mls_private_message" },
  suite: MlsSuite,
): Promise<ProcessedApplication> {
  const pm = message.privateMessage;
  const current = state.groupContext.epoch;
  const past = pm.epoch < current ? state.historicalReceiverData.get(pm.epoch) : undefined;
  if (pm.epoch > current) {
    throw new ParleyMlsError(
      "wrong-epoch",
      `application message for epoch ${pm.epoch}; group is at ${current}`,
    );
  }
  if (pm.epoch < current && past === undefined) {
    throw new ParleyMlsError("wrong-epoch", `application message for epoch ${pm.epoch}, whose keys are gone`);
  }
  const epochData = past ?? {
    senderDataSecret: state.keySchedule.senderDataSecret,
    secretTree: state.secretTree,
    ratchetTree: state.ratchetTree,
    groupContext: state.groupContext,
  };
  const result = await unprotectPrivateMessage(
    epochData.senderDataSecret,
    pm,
    epochData.secretTree,
    epochData.ratchetTree,
    epochData.groupContext,
    state.clientConfig.keyRetentionConfig,
    suite.impl,
  );
  const content = result.content.content;
  if (content.contentType !== "application" || content.sender.senderType !== "member") {
    throw new ParleyMlsError("invalid", "PrivateMessage header says application but its content is not");
  }
  const newState: ClientState = past
    ? {
        ...state,
        historicalReceiverData: new Map(state.historicalReceiverData).set(pm.epoch, {
          ...past,
          secretTree: result.tree,
        }),
      }
    : { ...state, secretTree: result.tree };
  return {
    newState,
    data: content.applicationData,
    senderLeafIndex: content.sender.leafIndex,
    authenticatedData: content.authenticatedData,
    epoch: pm.epoch,
    consumed: result.consumed,
  };
}

/** Proposals and commits, public or private, through the engine with the caller's validator. */
export async function processHandshake(
  state: ClientState,
  message: MLSMessage & { wireformat: "mls_private_message" | "mls_public_message" },
  suite: MlsSuite,
  validate: HandshakeValidator | undefined,
): Promise<ProcessedHandshake> {
  let seen: IncomingHandshake | undefined;
  let refusal: string | undefined;
  const callback: IncomingMessageCallback = (incoming) => {
    seen =
      incoming.kind === "commit"
        ? { kind: "commit", senderLeafIndex: incoming.senderLeafIndex, proposals: incoming.proposals }
        : {
            kind: "proposal",
            proposal: incoming.proposal.proposal,
            senderLeafIndex: incoming.proposal.senderLeafIndex,
          };
    const verdict = validate ? validate(seen) : true;
    if (verdict === true) return "accept";
    refusal = typeof verdict === "string" ? verdict : "refused by the validation callback";
    return "reject";
  };
  let result: Awaited<ReturnType<typeof processMessage>>;
  try {
    result =
      message.wireformat === "mls_public_message" &&
      message.publicMessage.content.sender.senderType === "external"
        ? await processExternalProposal(state, message.publicMessage, suite, callback)
        : await processMessage(message as never, state, makePskIndex(state, {}), callback, suite.impl);
  } catch (err) {
    throw engineFailure(err, "handshake message");
  }
  if (result.kind !== "newState" || seen === undefined) {
    throw new ParleyMlsError("invalid", "handshake message carried application content");
  }
  if (result.actionTaken === "reject") throw new ParleyMlsError("rejected", refusal ?? "refused");
  return {
    newState: result.newState,
    kind: seen.kind,
    senderLeafIndex: seen.senderLeafIndex,
    consumed: result.consumed,
  };
}

/**
 * A proposal from an external sender (RFC 9420 §12.1.8.1), verified with the key Parley decoded from the
 * group context: the engine would misread the external_senders extension (see externalSenders.ts).
 */
async function processExternalProposal(
  state: ClientState,
  pm: PublicMessage,
  suite: MlsSuite,
  callback: IncomingMessageCallback,
): Promise<Awaited<ReturnType<typeof processMessage>>> {
  const sender = pm.content.sender;
  if (sender.senderType !== "external" || pm.content.contentType !== "proposal") {
    throw new ParleyMlsError("invalid", "an external sender may only send proposals");
  }
  const externalSender = externalSendersOf(state)[sender.senderIndex];
  if (externalSender === undefined) {
    throw new ParleyMlsError(
      "invalid",
      `external sender index ${sender.senderIndex} is not in the group context`,
    );
  }
  const content = await unprotectPublicMessage(
    state.keySchedule.membershipKey,
    state.groupContext,
    state.ratchetTree,
    pm,
    suite.impl,
    externalSender.signaturePublicKey,
  );
  if (content.content.contentType !== "proposal") throw new ParleyMlsError("invalid", "expected a proposal");
  const proposal = content.content.proposal;
  const actionTaken = callback({ kind: "proposal", proposal: { proposal, senderLeafIndex: undefined } });
  const newState =
    actionTaken === "accept" ? await processProposal(state, content, proposal, suite.impl.hash) : state;
  return { kind: "newState", newState, actionTaken, consumed: [] };
}

/** The engine's errors are validation failures of the input; anything else is too, but says less. */
/**
 * The engine's error as a typed one: its UsageError is a caller mistake, CodecError and the RangeErrors that
 * garbage provokes in decoders are malformed input, and every other engine error is a failed RFC check.
 */
export function engineFailure(err: unknown, what: string): ParleyMlsError {
  if (err instanceof ParleyMlsError) return err;
  const code =
    err instanceof UsageError
      ? "usage"
      : err instanceof CodecError || !(err instanceof MlsError)
        ? "malformed"
        : "invalid";
  return asMlsError(err, code, `${what} refused`);
}
