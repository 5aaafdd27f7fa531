import type { Logger } from "pino";
import type { RawData, WebSocket } from "ws";
import { type Call, MAX_DAVE_PROTOCOL_VERSION, type Peer } from "./call.js";
import { asGatewayError, VoiceGatewayError } from "./errors.js";
import { decodeClientFrame, encodeJson, encodeServerBinary, type Frame } from "./framing.js";
import { heartbeatData } from "./heartbeat.js";
import { checkFrameSize, checkTextSize, type PayloadLimits } from "./limits.js";
import { CloseCode, Op } from "./opcodes.js";
import { parseSnowflake } from "./snowflake.js";

/** What a connection needs from the server. */
export interface ConnectionContext {
  readonly identifyTimeoutMs: number;
  readonly defaultChannelId: string;
  readonly payloadLimits: PayloadLimits;
  /** Most bytes a connection may have waiting to be sent before it is dropped. */
  readonly maxSendBufferBytes: number;
  /** How long a closed connection has to finish the closing handshake before its socket is cut. */
  readonly closeGraceMs: number;
  callFor(channelId: string): Call;
  /** The connection left `call`: the server may drop it once idle. */
  released(call: Call): void;
}

/**
 * One client WebSocket: identify, then opcode dispatch to its call. Any bad input becomes a typed error that is
 * logged (never key material) and dropped; before identify it closes the connection instead. A message over
 * its size limit, or a client too slow to take what is sent to it, closes the connection in any state.
 */
export class Connection {
  private peer: Peer | undefined;
  private call: Call | undefined;
  private seq = 0;
  private readonly identifyTimer: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: ConnectionContext,
    private log: Logger,
  ) {
    this.identifyTimer = setTimeout(() => {
      this.log.warn({ event: "identify-timeout" }, "no identify in time");
      this.disconnect(CloseCode.sessionTimeout, "identify timeout");
    }, ctx.identifyTimeoutMs);
    this.identifyTimer.unref();
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("close", (code) => this.onClose(code));
    ws.on("error", (err) => this.log.warn({ event: "socket-error", err: err.message }, "socket error"));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.ws.readyState !== this.ws.OPEN) return; // closing: the connection has been let go
    const bytes = toBytes(data);
    let frame: Frame;
    try {
      if (!isBinary) checkTextSize(this.ctx.payloadLimits, bytes.length);
      frame = decodeClientFrame(isBinary ? bytes : bytes.toString());
      checkFrameSize(this.ctx.payloadLimits, frame, bytes.length);
    } catch (err) {
      this.refuse(err, undefined);
      return;
    }
    if (!this.peer) {
      if (frame.kind === "json" && frame.op === Op.identify) this.identify(frame.d);
      else this.refuse(new VoiceGatewayError("not-identified", `op ${frame.op} before identify`), frame.op);
      return;
    }
    let handled: Promise<void> | undefined;
    try {
      handled = this.dispatch(this.peer, this.call as Call, frame);
    } catch (err) {
      this.refuse(err, frame.op);
      return;
    }
    const size = frame.kind === "binary" ? frame.payload.length : undefined;
    if (!handled) {
      this.log.trace({ op: frame.op, bytes: size }, "op handled");
      return;
    }
    handled.then(
      () => this.log.info({ op: frame.op, bytes: size }, "op handled"),
      (err) => this.refuse(err, frame.op),
    );
  }

  private dispatch(peer: Peer, call: Call, frame: Frame): Promise<void> | undefined {
    if (frame.kind === "json") {
      switch (frame.op) {
        case Op.readyForTransition:
          return call.ready(peer, frame.d);
        case Op.invalidCommitWelcome:
          return call.invalidCommitWelcome(peer, frame.d);
        case Op.heartbeat:
          peer.sendJson(Op.heartbeatAck, heartbeatData(frame.d));
          return undefined;
        case Op.identify:
          throw new VoiceGatewayError("invalid-identify", "already identified");
      }
    } else {
      switch (frame.op) {
        case Op.keyPackage:
          return call.keyPackage(peer, frame.payload);
        case Op.commitWelcome:
          return call.commit(peer, frame.payload);
        case Op.mediaSend:
          call.relay(peer, frame.payload);
          return undefined;
      }
    }
    throw new VoiceGatewayError("unknown-op", `${frame.kind} op ${frame.op} is not accepted from clients`);
  }

  private identify(d: unknown): void {
    clearTimeout(this.identifyTimer);
    let userId: string;
    let channelId: string;
    let maxVersion: number;
    try {
      if (typeof d !== "object" || d === null)
        throw new VoiceGatewayError("invalid-identify", "identify has no d object");
      const fields = d as { user_id?: unknown; channel_id?: unknown; max_dave_protocol_version?: unknown };
      userId = parseSnowflake(fields.user_id, "user_id");
      channelId =
        fields.channel_id === undefined
          ? this.ctx.defaultChannelId
          : parseSnowflake(fields.channel_id, "channel_id");
      const max = fields.max_dave_protocol_version ?? 0;
      if (typeof max !== "number" || !Number.isInteger(max) || max < 0 || max > 255) {
        throw new VoiceGatewayError("invalid-identify", "max_dave_protocol_version must be a small integer");
      }
      maxVersion = Math.min(max, MAX_DAVE_PROTOCOL_VERSION);
    } catch (err) {
      this.refuse(err, Op.identify, CloseCode.authenticationFailed);
      return;
    }
    const peer: Peer = {
      userId,
      maxVersion,
      sendJson: (op, payload) => this.send(encodeJson(op, payload)),
      sendBinary: (op, payload) => {
        this.seq = (this.seq + 1) & 0xffff;
        this.send(encodeServerBinary(this.seq, op, payload));
      },
    };
    const call = this.ctx.callFor(channelId);
    this.peer = peer;
    this.call = call;
    this.log = this.log.child({ userId, channelId });
    call.join(peer).then(
      () => this.log.info({ op: Op.identify, maxDaveProtocolVersion: maxVersion }, "identified"),
      (err) => {
        this.peer = undefined;
        this.call = undefined;
        this.ctx.released(call);
        this.refuse(err, Op.identify, CloseCode.authenticationFailed);
      },
    );
  }

  private onClose(code: number): void {
    this.log.info({ event: "closed", code }, "connection closed");
    this.release();
  }

  /** Leave the call (once), as a disconnect does. */
  private release(): void {
    clearTimeout(this.identifyTimer);
    const { peer, call } = this;
    this.peer = undefined;
    if (peer && call) {
      call.leave(peer).then(
        () => this.ctx.released(call),
        (err) => this.refuse(err, undefined),
      );
    }
  }

  /**
   * Close with `code`, leave the call now, and cut the socket if the client has not finished the closing
   * handshake within the grace period (a client that does not read never will).
   */
  private disconnect(code: number, reason: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.close(code, closeReason(reason));
    const cut = setTimeout(() => this.ws.terminate(), this.ctx.closeGraceMs);
    cut.unref();
    this.ws.once("close", () => clearTimeout(cut));
    this.release();
  }

  /** Send unless the client is so far behind that this would pass its send-buffer limit: then drop it. */
  private send(data: Uint8Array | string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const bytes = typeof data === "string" ? Buffer.byteLength(data) : data.length;
    const buffered = this.ws.bufferedAmount;
    if (buffered + bytes > this.ctx.maxSendBufferBytes) {
      this.log.warn({ event: "send-buffer-full", buffered, bytes }, "client too slow: disconnecting");
      this.disconnect(CloseCode.sendBufferFull, "send buffer full: the client is not reading");
      return;
    }
    this.ws.send(data);
  }

  /** Log refused input as a typed error; a client that has not identified, or sent too much, is disconnected. */
  private refuse(err: unknown, op: number | undefined, closeCode?: number): void {
    const error = asGatewayError(err, "malformed", "unexpected failure");
    this.log.warn({ op, code: error.code, reason: error.message }, "input refused");
    if (error.code === "oversized") this.disconnect(CloseCode.messageTooLarge, error.message);
    else if (!this.peer) {
      const code =
        closeCode ?? (error.code === "not-identified" ? CloseCode.notAuthenticated : CloseCode.decodeError);
      this.disconnect(code, error.message);
    }
  }
}

/** The refusal's message as a close reason: WebSocket allows 123 bytes, so a longer one is cut (whole characters). */
function closeReason(message: string): string {
  const bytes = Buffer.from(message);
  if (bytes.length <= 123) return message;
  return `${new TextDecoder().decode(bytes.subarray(0, 120)).replace(/\uFFFD+$/, "")}…`;
}

function toBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
