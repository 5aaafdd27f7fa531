import type { GatewayMessage, VoiceGatewayTransport } from "../../src/index.js";
import { changes } from "./changes.js";

/** A client→server opcode as the gateway receives it. */
export type ClientMessage =
  | { readonly kind: "json"; readonly op: number; readonly d: unknown }
  | { readonly kind: "binary"; readonly op: number; readonly payload: Uint8Array };

/**
 * One voice gateway connection in memory. Each direction delivers in order on a later turn of the event loop,
 * as a socket would; JSON goes through its text form and bytes are copied, so neither side shares objects.
 */
export class MemoryConnection {
  /** Everything the client sent, in order (tests assert on op 23, 26, 31). */
  readonly sentByClient: ClientMessage[] = [];
  private clientHandler?: (message: GatewayMessage) => void;
  private serverHandler?: (message: ClientMessage) => void;
  private closeHandler?: () => void;
  private sequence = 0;
  private pending = 0;
  private closed = false;

  /** The client end, handed to a VoiceSession. */
  readonly client: VoiceGatewayTransport = {
    sendJson: (op, d) => this.toServer({ kind: "json", op, d: JSON.parse(JSON.stringify(d)) }),
    sendBinary: (op, payload) => this.toServer({ kind: "binary", op, payload: payload.slice() }),
    onMessage: (handler) => {
      this.clientHandler = handler;
    },
  };

  /** Messages still on their way, either direction. */
  get inFlight(): number {
    return this.pending;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onServerMessage(handler: (message: ClientMessage) => void, onClose: () => void): void {
    this.serverHandler = handler;
    this.closeHandler = onClose;
  }

  sendJson(op: number, d: unknown): void {
    const text = JSON.stringify(d);
    this.deliver(() => this.clientHandler?.({ kind: "json", op, d: JSON.parse(text) }));
  }

  sendBinary(op: number, payload: Uint8Array): void {
    const copy = payload.slice();
    this.sequence = (this.sequence + 1) & 0xffff;
    const seq = this.sequence;
    this.deliver(() => this.clientHandler?.({ kind: "binary", seq, op, payload: copy }));
  }

  /** The connection drops: messages still on their way are lost, and the server hears of it on a later turn. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending++;
    setImmediate(() => {
      this.pending--;
      this.closeHandler?.();
      changes.notify();
    });
  }

  private toServer(message: ClientMessage): void {
    this.sentByClient.push(message);
    this.deliver(() => this.serverHandler?.(message));
  }

  private deliver(receive: () => void): void {
    if (this.closed) return;
    this.pending++;
    setImmediate(() => {
      this.pending--;
      if (!this.closed) receive();
      changes.notify();
    });
  }
}
