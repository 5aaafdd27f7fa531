import type { AddressInfo } from "node:net";
import { type Logger, pino } from "pino";
import { WebSocketServer } from "ws";
import { Call, type CallSnapshot } from "./call.js";
import { Connection } from "./connection.js";
import { ExternalSender } from "./externalSender.js";
import { CloseCode } from "./opcodes.js";
import { parseSnowflake } from "./snowflake.js";

export interface VoiceGatewayOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; 127.0.0.1 by default. */
  host?: string;
  /** A pino logger to log into; otherwise one on stdout at `logLevel`. */
  logger?: Logger;
  /** pino level for the default logger ("info" by default; "silent" for none). */
  logLevel?: string;
  /** How long to wait for every op 23 before executing a transition anyway (default 2000 ms). */
  transitionTimeoutMs?: number;
  /** Window in which proposals are collected into one op 27 (default 20 ms). */
  proposalBatchMs?: number;
  /** Close connections that have not identified after this long (default 10000 ms). */
  identifyTimeoutMs?: number;
  /** Largest WebSocket message accepted, in bytes (default 1 MiB). */
  maxMessageBytes?: number;
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
  const log = (options.logger ?? pino({ level: options.logLevel ?? "info" })).child({
    service: "voice-gateway",
  });
  const defaultChannelId = parseSnowflake(options.defaultChannelId ?? "1", "defaultChannelId");
  const callOptions = {
    transitionTimeoutMs: options.transitionTimeoutMs ?? 2000,
    proposalBatchMs: options.proposalBatchMs ?? 20,
  };
  const externalSender = await ExternalSender.create();
  const calls = new Map<string, Call>();

  const wss = new WebSocketServer({
    host,
    port: options.port ?? 0,
    maxPayload: options.maxMessageBytes ?? 1024 * 1024,
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
  log.info({ host, port }, "voice gateway listening");

  let closing: Promise<void> | undefined;
  return {
    url: `ws://${urlHost}:${port}/`,
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
