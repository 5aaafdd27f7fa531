import type { GatewayMessage, VoiceGatewayTransport } from "../../src/index.js";
import { changes } from "./changes.js";

/** A transport the test drives by hand: messages are handed over synchronously, in bursts. */
export class ScriptedTransport implements VoiceGatewayTransport {
  readonly sent: { op: number; d?: unknown; payload?: Uint8Array }[] = [];
  private handler?: (message: GatewayMessage) => void;
  private seq = 0;

  sendJson(op: number, d: unknown): void {
    this.sent.push({ op, d });
    changes.notify();
  }

  sendBinary(op: number, payload: Uint8Array): void {
    this.sent.push({ op, payload });
    changes.notify();
  }

  onMessage(handler: (message: GatewayMessage) => void): void {
    this.handler = handler;
  }

  json(op: number, d: unknown): void {
    this.handler?.({ kind: "json", op, d });
  }

  binary(op: number, payload: Uint8Array): void {
    this.handler?.({ kind: "binary", seq: ++this.seq, op, payload });
  }
}
