import type { Socket } from "node:net";
import { type BenchOptions, type BenchReport, progress } from "@parley/bench";
import WebSocket from "ws";
import { DEFAULT_PAYLOAD_LIMITS, Op, RelayCodec, VoiceGatewayClient } from "../src/index.js";
import { startGateway } from "./support/gateway.js";

/*
 * `npm run bench -- slowClientRss [--quick]`: the gateway's memory while one client of a call stops reading.
 * A sender relays large media frames (each as large as the binary limit allows) to a reader and to a client
 * whose socket is paused; the gateway process's RSS (after a full GC) is taken before and after. "ours" = the default send-buffer
 * limit (the slow client is dropped with 4100), "peer" = the same gateway with the limit out of reach, i.e.
 * what an unbounded `ws.send` keeps in memory.
 */

const CHANNEL = "5";
const MiB = 1024 * 1024;
const UNLIMITED = 2 ** 50;
/** A media frame filling op 200's limit: op ‖ uint32 ssrc ‖ uint8 codec ‖ frame. */
const FRAME = new Uint8Array(DEFAULT_PAYLOAD_LIMITS.binary - 6).fill(0x42);

interface RssResult {
  beforeMiB: number;
  afterMiB: number;
  /** Held in buffers after the frames. */
  buffersMiB: number;
  /** Frames relayed before the gateway dropped the slow client (undefined: never). */
  droppedAfter: number | undefined;
}

/** A client that identifies, then never reads its socket again. */
async function slowClient(url: string, userId: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const ready = new Promise((resolve) => ws.once("message", resolve)); // op 4
  ws.send(JSON.stringify({ op: Op.identify, d: { user_id: userId, channel_id: CHANNEL } }));
  await ready;
  (ws as unknown as { _socket: Socket })._socket.pause();
  return ws;
}

/** Wait for `check`, re-checking on each of `emitter`'s events; fail after 60 s. */
function whenTrue(check: () => boolean, subscribe: (wake: () => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error("bench: timed out waiting for the relay")), 60_000);
    const wake = () => check() && done();
    const unsubscribe = subscribe(wake);
    function done(err?: Error) {
      clearTimeout(timer);
      unsubscribe();
      err ? reject(err) : resolve();
    }
    wake();
  });
}

async function measure(maxSendBufferBytes: number, frames: number): Promise<RssResult> {
  const gateway = await startGateway({ maxSendBufferBytes });
  const options = { channelId: CHANNEL, maxDaveProtocolVersion: 0 };
  const sender = await VoiceGatewayClient.connect(gateway.url, "8100000000000000001", options);
  const reader = await VoiceGatewayClient.connect(gateway.url, "8100000000000000002", options);
  const slowId = "8100000000000000003";
  const slow = await slowClient(gateway.url, slowId);
  let received = 0;
  let droppedAfter: number | undefined;
  reader.on("media", () => received++);
  reader.onMessage((m) => {
    const d = m.op === Op.clientDisconnect ? (m as { d?: { user_id?: string } }).d : undefined;
    if (d?.user_id === slowId) droppedAfter ??= received;
  });
  try {
    const before = await gateway.memory();
    for (let sent = 1; sent <= frames; sent++) {
      sender.sendMedia(1, RelayCodec.unknown, FRAME);
      await whenTrue(
        () => received >= sent,
        (wake) => {
          reader.on("media", wake);
          return () => reader.off("media", wake);
        },
      );
    }
    const after = await gateway.memory();
    return {
      beforeMiB: before.rssBytes / MiB,
      afterMiB: after.rssBytes / MiB,
      buffersMiB: after.bufferBytes / MiB,
      droppedAfter,
    };
  } finally {
    slow.terminate();
    await sender.close();
    await reader.close();
    await gateway.stop();
  }
}

export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const frames = quick ? 100 : 300;
  const size = `${frames} frames of ${(FRAME.length / 1024).toFixed(0)} KiB`;
  progress(`slow client, default send-buffer limit: ${size}`);
  const ours = await measure(4 * MiB, frames);
  progress(`slow client, no send-buffer limit: ${size}`);
  const peer = await measure(UNLIMITED, frames);
  const dropped = (r: RssResult) =>
    r.droppedAfter === undefined ? "never dropped" : `dropped after ${r.droppedAfter} frames`;
  return {
    name: "slowClientRss",
    peer: "no send-buffer limit",
    rows: [
      {
        case: "gateway-rss-before",
        unit: "MiB",
        better: "lower",
        ours: ours.beforeMiB,
        peer: peer.beforeMiB,
      },
      {
        case: `gateway-rss-after-${frames}`,
        unit: "MiB",
        better: "lower",
        ours: ours.afterMiB,
        peer: peer.afterMiB,
      },
      {
        case: "gateway-rss-growth",
        unit: "MiB",
        better: "lower",
        ours: ours.afterMiB - ours.beforeMiB,
        peer: peer.afterMiB - peer.beforeMiB,
      },
      {
        case: "gateway-buffers-after",
        unit: "MiB",
        better: "lower",
        ours: ours.buffersMiB,
        peer: peer.buffersMiB,
      },
    ],
    notes: [
      "The gateway process's RSS (after a full GC) before and after a sender relays",
      `  ${size} through it to a reader and to a client that identified and then paused its`,
      "  socket (it never reads again); each frame is sent once the",
      "  reader has the previous one, so the gateway has handled them all when RSS is taken. gateway-buffers-after:",
      "  what the gateway's Buffers hold then (process.memoryUsage().arrayBuffers), its unsent messages among them;",
      "  RSS also keeps memory the allocator has not given back.",
      `ours: maxSendBufferBytes 4 MiB (the default), slow client ${dropped(ours)}; peer: the limit out of reach`,
      `  (2^50 bytes, as an unbounded ws.send), slow client ${dropped(peer)}.`,
    ],
  };
}
