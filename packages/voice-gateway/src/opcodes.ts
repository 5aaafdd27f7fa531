/** Voice gateway opcodes used by DAVE (dave-notes "Voice gateway opcodes") and this gateway's media relay. */
export const Op = {
  identify: 0,
  selectProtocolAck: 4,
  heartbeat: 3,
  heartbeatAck: 6,
  clientsConnect: 11,
  clientDisconnect: 13,
  prepareTransition: 21,
  executeTransition: 22,
  readyForTransition: 23,
  prepareEpoch: 24,
  externalSenderPackage: 25,
  keyPackage: 26,
  proposals: 27,
  commitWelcome: 28,
  announceCommitTransition: 29,
  welcome: 30,
  invalidCommitWelcome: 31,
  /** Relay, client→server: `uint32 ssrc ‖ uint8 codec ‖ frame`. Outside DAVE's range on purpose. */
  mediaSend: 200,
  /** Relay, server→client: `seq ‖ op ‖ uint64 user_id ‖ uint32 ssrc ‖ uint8 codec ‖ frame`. */
  mediaReceive: 201,
} as const;

/** op 27's first byte. */
export const ProposalsOperation = { append: 0, revoke: 1 } as const;

/** WebSocket close codes, after Discord's voice gateway ones where they exist. */
export const CloseCode = {
  decodeError: 4002,
  notAuthenticated: 4003,
  authenticationFailed: 4004,
  sessionTimeout: 4009,
  serverShutdown: 4015,
  /** This gateway's own: the client reads too slowly, its unsent messages passed `maxSendBufferBytes`. */
  sendBufferFull: 4100,
  /** This gateway's own: a message over its payload limit (`payloadLimits`). */
  messageTooLarge: 4101,
} as const;
