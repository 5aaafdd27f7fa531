export type { CallSnapshot } from "./call.js";
export { MAX_DAVE_PROTOCOL_VERSION } from "./call.js";
export {
  VoiceGatewayClient,
  type VoiceGatewayClientEvents,
  type VoiceGatewayClientOptions,
} from "./client.js";
export { VoiceGatewayError, type VoiceGatewayErrorCode } from "./errors.js";
export { DEFAULT_PAYLOAD_LIMITS, type PayloadLimits } from "./limits.js";
export { CloseCode, Op, ProposalsOperation } from "./opcodes.js";
export { decodeMediaReceive, encodeMediaSend, type MediaFrame, RelayCodec } from "./relay.js";
export {
  type LogStream,
  startVoiceGateway,
  type VoiceGateway,
  type VoiceGatewayOptions,
} from "./server.js";
