/**
 * The voice gateway connection a `VoiceSession` drives (dave-notes "Voice gateway opcodes"). An application
 * adapts its own connection (Discord's voice WebSocket, or `@parley/voice-gateway`'s client) to this shape.
 */

/** A JSON opcode (0, 4, 11, 13, 21–24, 31): `{ op, d }` on the wire. */
export interface GatewayJsonMessage {
  readonly kind: "json";
  readonly op: number;
  readonly d: unknown;
}

/** A binary opcode (25–30). Server→client frames carry the gateway's uint16 sequence number. */
export interface GatewayBinaryMessage {
  readonly kind: "binary";
  readonly seq: number;
  readonly op: number;
  /** The bytes after the opcode. */
  readonly payload: Uint8Array;
}

export type GatewayMessage = GatewayJsonMessage | GatewayBinaryMessage;

export interface VoiceGatewayTransport {
  /** Send a JSON opcode (client→server: 0 identify, 23 ready_for_transition, 31 invalid_commit_welcome). */
  sendJson(op: number, d: unknown): void;
  /** Send a binary opcode (client→server: `uint8 op ‖ payload`; 26 key package, 28 commit/welcome). */
  sendBinary(op: number, payload: Uint8Array): void;
  /** Register the handler for every DAVE opcode the gateway sends, in arrival order. */
  onMessage(handler: (message: GatewayMessage) => void): void;
}
