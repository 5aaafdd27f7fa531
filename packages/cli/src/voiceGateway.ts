import { parseArgs } from "node:util";
import { startVoiceGateway } from "@parley/voice-gateway";

/** `parley voice-gateway [--port N] [--host H] [--transition-timeout MS]`: a DAVE voice gateway over WebSocket. */
export async function runVoiceGateway(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "transition-timeout": { type: "string" },
    },
    strict: true,
  });
  const port = values.port === undefined ? 8081 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port must be 0–65535");
  const transitionTimeoutMs =
    values["transition-timeout"] === undefined ? undefined : Number(values["transition-timeout"]);
  if (
    transitionTimeoutMs !== undefined &&
    !(Number.isInteger(transitionTimeoutMs) && transitionTimeoutMs > 0)
  ) {
    throw new Error("--transition-timeout must be a positive number of milliseconds");
  }
  const gateway = await startVoiceGateway({
    port,
    host: values.host ?? "127.0.0.1",
    logLevel: process.env.PARLEY_LOG_LEVEL ?? "info",
    ...(transitionTimeoutMs !== undefined ? { transitionTimeoutMs } : {}),
  });
  process.stdout.write(`parley voice gateway listening on ${gateway.url}\n`);
  // Graceful shutdown: close every client (4015) and release the port; the process then ends by itself.
  const stop = () => {
    gateway.close().catch((err: unknown) => {
      process.stderr.write(`parley voice-gateway: shutdown failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
