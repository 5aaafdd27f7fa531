import type { Socket } from "node:net";
import WebSocket, { type RawData } from "ws";
import { decodeServerFrame } from "../../src/framing.js";
import { changes, type TestGateway, until } from "./member.js";

type ServerFrame = ReturnType<typeof decodeServerFrame>;

/**
 * A bare WebSocket to a test gateway, for sending exactly the bytes a test wants: it records every frame it
 * gets and how it was closed, notifying `changes` on each.
 */
export class RawClient {
  readonly received: ServerFrame[] = [];
  close: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      this.received.push(decodeServerFrame(isBinary ? new Uint8Array(bytes) : bytes.toString()));
      changes.notify();
    });
    ws.on("close", (code, reason) => {
      this.close = { code, reason: reason.toString() };
      changes.notify();
    });
  }

  static async open(gateway: TestGateway): Promise<RawClient> {
    const ws = new WebSocket(gateway.url, { perMessageDeflate: false });
    const client = new RawClient(ws);
    gateway.onClose(() => ws.terminate());
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return client;
  }

  /** Open a socket and identify as `userId` (without DAVE, so no MLS is involved); resolves after op 4. */
  static async identified(gateway: TestGateway, userId: string, channelId: string): Promise<RawClient> {
    const client = await RawClient.open(gateway);
    client.ws.send(JSON.stringify({ op: 0, d: { user_id: userId, channel_id: channelId } }));
    await client.until((f) => f.kind === "json" && f.op === 4, `op 4 for ${userId}`);
    return client;
  }

  /** Wait until a frame matching `match` has arrived (fails if the connection closes first). */
  async until(match: (frame: ServerFrame) => boolean, what: string): Promise<ServerFrame> {
    await until(
      () => this.received.some(match) || this.close !== undefined,
      what,
      () => JSON.stringify(this.close),
    );
    const frame = this.received.find(match);
    if (!frame) throw new Error(`closed (${JSON.stringify(this.close)}) before ${what}`);
    return frame;
  }

  /** Wait until the gateway closed the connection; its code and reason. */
  async closed(): Promise<{ code: number; reason: string }> {
    await until(() => this.close !== undefined, "the connection to close");
    return this.close as { code: number; reason: string };
  }

  /** A heartbeat with a fresh nonce and its op 6: everything sent before has been taken. */
  async roundTrip(nonce: number): Promise<void> {
    this.ws.send(JSON.stringify({ op: 3, d: nonce }));
    await this.until((f) => f.kind === "json" && f.op === 6 && f.d === nonce, `heartbeat ack ${nonce}`);
  }

  /** Stop reading from the socket (the kernel buffers fill, then the gateway's own send buffer). */
  pause(): void {
    (this.ws as unknown as { _socket: Socket })._socket.pause();
  }

  resume(): void {
    (this.ws as unknown as { _socket: Socket })._socket.resume();
  }
}
