import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { WebSocketServer } from "ws";
import { Call, type CallSnapshot } from "./call.js";
import { Connection } from "./connection.js";
import { ExternalSender } from "./externalSender.js";
import { largestLimit, type PayloadLimits, resolvePayloadLimits } from "./limits.js";
import { CloseCode } from "./opcodes.js";
import { parseSnowflake } from "./snowflake.js";

/** Where log lines go: anything that takes one JSON line per `write` (a stream, a formatter, a test sink). */
export interface LogStream {
  write(line: string): void;
}

export interface VoiceGatewayOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; 127.0.0.1 by default. */
  host?: string;
  /** Log lines (JSON, one per call) go here instead of stdout. */
  logStream?: LogStream;
  /** pino level ("info" by default; "silent" for none). */
  logLevel?: string;
  /** How long to wait for every op 23 before executing a transition anyway (default 2000 ms). */
  transitionTimeoutMs?: number;
  /** Window in which proposals are collected into one op 27 (default 20 ms). */
  proposalBatchMs?: number;
  /** Close connections that have not identified after this long (default 10000 ms). */
  identifyTimeoutMs?: number;
  /** Largest client message per op, in bytes; any left out keep their default (see `PayloadLimits`). */
  payloadLimits?: Partial<PayloadLimits>;
  /** A connection with more unsent bytes than this is closed with 4100 (default 4 MiB). */
  maxSendBufferBytes?: number;
  /** How long a connection the gateway closes has to finish the closing handshake before it is cut (1000 ms). */
  closeGraceMs?: number;
  /** The channel for identifies without channel_id (default "1"). */
  defaultChannelId?: string;
}

export interface VoiceGateway {
  /** ws://host:port/ */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** The public state of a call (default channel if none given), or undefined when nobody is in it. */
  inspect(channelId?: string): CallSnapshot | undefined;
  /** Stop accepting, disconnect every client (close code 4015) and release the port. */
  close(): Promise<void>;
}

/** Start a DAVE voice gateway on a WebSocket port. */
export async function startVoiceGateway(options: VoiceGatewayOptions = {}): Promise<VoiceGateway> {
  const host = options.host ?? "127.0.0.1";
  const level = options.logLevel ?? "info";
  const root = options.logStream ? pino({ level }, options.logStream) : pino({ level });
  const log = root.child({ service: "voice-gateway" });
  const defaultChannelId = parseSnowflake(options.defaultChannelId ?? "1", "defaultChannelId");
  const callOptions = {
    transitionTimeoutMs: options.transitionTimeoutMs ?? 2000,
    proposalBatchMs: options.proposalBatchMs ?? 20,
  };
  const payloadLimits = resolvePayloadLimits(options.payloadLimits);
  const maxSendBufferBytes = positive(options.maxSendBufferBytes ?? 4 * 1024 * 1024, "maxSendBufferBytes");
  const closeGraceMs = positive(options.closeGraceMs ?? 1000, "closeGraceMs");
  const externalSender = await ExternalSender.create();
  const calls = new Map<string, Call>();

  const wss = new WebSocketServer({
    host,
    port: options.port ?? 0,
    // ws refuses (1009) only what no limit could allow; the limits themselves close with 4101.
    maxPayload: largestLimit(payloadLimits) + 1024,
    perMessageDeflate: false,
  });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  wss.on("error", (err) => log.error({ err: err.message }, "server error"));

  const context = {
    identifyTimeoutMs: options.identifyTimeoutMs ?? 10_000,
    defaultChannelId,
    payloadLimits,
    maxSendBufferBytes,
    closeGraceMs,
    callFor(channelId: string): Call {
      let call = calls.get(channelId);
      if (!call) {
        call = new Call(channelId, externalSender, callOptions, log.child({ channelId }));
        calls.set(channelId, call);
      }
      return call;
    },
    released(call: Call): void {
      if (call.idle && calls.get(call.channelId) === call) {
        call.close();
        calls.delete(call.channelId);
      }
    },
  };

  let nextConnection = 1;
  wss.on("connection", (ws, request) => {
    const connLog = log.child({ conn: nextConnection++ });
    connLog.info({ event: "connected", remote: request.socket.remoteAddress }, "connection opened");
    new Connection(ws, context, connLog);
  });

  const { port } = wss.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const url = `ws://${urlHost}:${port}/`;
  log.info({ host, port }, `voice gateway listening on ${url}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    inspect: (channelId) => calls.get(channelId ?? defaultChannelId)?.snapshot(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const call of calls.values()) call.close();
        for (const client of wss.clients) client.close(CloseCode.serverShutdown, "gateway shutting down");
        // Sockets that do not finish the closing handshake promptly are cut.
        const force = setTimeout(() => {
          for (const client of wss.clients) client.terminate();
        }, 1000);
        force.unref();
        wss.close(() => {
          clearTimeout(force);
          calls.clear();
          log.info("voice gateway closed");
          resolve();
        });
      });
      return closing;
    },
  };
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
