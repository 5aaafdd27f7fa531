import { EventEmitter } from "node:events";
import type { GatewayMessage, VoiceGatewayTransport } from "@parley/dave";
import WebSocket, { type RawData } from "ws";
import { VoiceGatewayError } from "./errors.js";
import { decodeServerFrame, encodeClientBinary, encodeJson } from "./framing.js";
import { Op } from "./opcodes.js";
import { decodeMediaReceive, encodeMediaSend } from "./relay.js";
import { parseSnowflake } from "./snowflake.js";

export interface VoiceGatewayClientOptions {
  /** The highest DAVE version this client speaks (0 = no E2EE). Default 1. */
  maxDaveProtocolVersion?: number;
  /** The call to join; the gateway's default channel when absent. */
  channelId?: string;
  /** Give up if the gateway has not answered identify with op 4 in this time (default 5000 ms). */
  timeoutMs?: number;
}

export interface VoiceGatewayClientEvents {
  /** A relayed media frame (op 201), exactly as the sender sent it. */
  media: [userId: string, ssrc: number, codec: number, frame: Uint8Array];
  /** A frame from the gateway that does not parse; it is dropped. */
  malformed: [error: VoiceGatewayError];
  close: [code: number, reason: string];
}

/**
 * A Node client of the voice gateway over `ws`, implementing @parley/dave's `VoiceGatewayTransport`, plus the
 * media relay. `connect` identifies and resolves once op 4 arrives; every DAVE message from then on (op 4
 * included) is delivered to `onMessage` handlers in arrival order, buffered until the first one is registered.
 */
export class VoiceGatewayClient
  extends EventEmitter<VoiceGatewayClientEvents>
  implements VoiceGatewayTransport
{
  private readonly handlers: Array<(message: GatewayMessage) => void> = [];
  private buffered: GatewayMessage[] = [];
  private protocolVersion = 0;

  private constructor(
    private readonly ws: WebSocket,
    readonly userId: string,
  ) {
    super();
  }

  /** Connect, identify as `userId`, and wait for the gateway's op 4. */
  static connect(
    url: string,
    userId: string,
    options: VoiceGatewayClientOptions = {},
  ): Promise<VoiceGatewayClient> {
    const id = parseSnowflake(userId, "userId");
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const client = new VoiceGatewayClient(ws, id);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new VoiceGatewayError("timeout", "the gateway did not answer identify"));
      }, options.timeoutMs ?? 5000);
      const fail = (err: VoiceGatewayError) => {
        clearTimeout(timer);
        reject(err);
      };
      ws.on("error", (err) =>
        fail(new VoiceGatewayError("closed", `connection failed: ${err.message}`, { cause: err })),
      );
      ws.on("close", (code, reasonBytes) => {
        const reason = reasonBytes.toString();
        fail(
          new VoiceGatewayError("closed", `gateway closed the connection (${code} ${reason})`, {
            closeCode: code,
            closeReason: reason,
          }),
        );
        client.emit("close", code, reason);
      });
      ws.on("message", (data, isBinary) => {
        const version = client.receive(data, isBinary);
        if (version !== undefined) {
          clearTimeout(timer);
          resolve(client);
        }
      });
      ws.once("open", () => {
        const d: Record<string, unknown> = {
          user_id: id,
          max_dave_protocol_version: options.maxDaveProtocolVersion ?? 1,
        };
        if (options.channelId !== undefined) d.channel_id = parseSnowflake(options.channelId, "channelId");
        ws.send(encodeJson(Op.identify, d));
      });
    });
  }

  /** The version from the last op 4 (0 = passthrough). */
  get daveProtocolVersion(): number {
    return this.protocolVersion;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  sendJson(op: number, d: unknown): void {
    if (this.open) this.ws.send(encodeJson(op, d));
  }

  sendBinary(op: number, payload: Uint8Array): void {
    if (this.open) this.ws.send(encodeClientBinary(op, payload));
  }

  onMessage(handler: (message: GatewayMessage) => void): void {
    this.handlers.push(handler);
    if (this.handlers.length === 1 && this.buffered.length > 0) {
      const backlog = this.buffered;
      this.buffered = [];
      for (const message of backlog) handler(message);
    }
  }

  /** Relay a media frame (op 200) to everyone else in the call. */
  sendMedia(ssrc: number, codec: number, frame: Uint8Array): void {
    this.sendBinary(Op.mediaSend, encodeMediaSend(ssrc, codec, frame));
  }

  /** Close the connection and wait for it to end. */
  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close(1000, "bye");
    });
  }

  /** Decode one frame; returns the protocol version when it was op 4. */
  private receive(data: RawData, isBinary: boolean): number | undefined {
    const bytes = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    let frame: ReturnType<typeof decodeServerFrame>;
    try {
      frame = decodeServerFrame(isBinary ? new Uint8Array(bytes) : bytes.toString());
    } catch (err) {
      this.emit("malformed", err as VoiceGatewayError);
      return undefined;
    }
    if (frame.kind === "binary" && frame.op === Op.mediaReceive) {
      try {
        const media = decodeMediaReceive(frame.payload);
        this.emit("media", media.userId, media.ssrc, media.codec, media.frame);
      } catch (err) {
        this.emit("malformed", err as VoiceGatewayError);
      }
      return undefined;
    }
    let version: number | undefined;
    if (frame.kind === "json" && frame.op === Op.selectProtocolAck) {
      const v = (frame.d as { dave_protocol_version?: unknown } | null)?.dave_protocol_version;
      version = typeof v === "number" ? v : 0;
      this.protocolVersion = version;
    }
    this.deliver(frame);
    return version;
  }

  private deliver(message: GatewayMessage): void {
    if (this.handlers.length === 0) {
      this.buffered.push(message);
      return;
    }
    for (const handler of this.handlers) handler(message);
  }
}
