/** The voice gateway opcodes a DAVE client reads or writes (dave-notes "Voice gateway opcodes"). */
export const VoiceOpcode = {
  identify: 0,
  sessionDescription: 4,
  clientsConnect: 11,
  clientDisconnect: 13,
  daveProtocolPrepareTransition: 21,
  daveProtocolExecuteTransition: 22,
  daveProtocolReadyForTransition: 23,
  daveProtocolPrepareEpoch: 24,
  mlsExternalSenderPackage: 25,
  mlsKeyPackage: 26,
  mlsProposals: 27,
  mlsCommitWelcome: 28,
  mlsAnnounceCommitTransition: 29,
  mlsWelcome: 30,
  mlsInvalidCommitWelcome: 31,
} as const;

/** The highest DAVE protocol version this implementation speaks (sent as identify's `max_dave_protocol_version`). */
export const DAVE_PROTOCOL_VERSION = 1;

/** Transition id 0 (re)initialises: it executes at once and is never acknowledged with op 23. */
export const INIT_TRANSITION_ID = 0;
