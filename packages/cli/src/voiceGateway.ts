import { parseArgs } from "node:util";
import { startVoiceGateway } from "@parley/voice-gateway";
import { port, positiveInteger } from "./args.js";
import { logFormat, logLevel, logStream } from "./logOutput.js";

/** `parley voice-gateway [--port N] [--host H] [--transition-timeout MS] [--log-format json|pretty]`. */
export async function runVoiceGateway(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "transition-timeout": { type: "string" },
      "log-format": { type: "string" },
    },
    strict: true,
  });
  const transitionTimeoutMs = positiveInteger(values["transition-timeout"], "--transition-timeout");
  const stream = logStream(logFormat(values["log-format"]));
  // The gateway logs where it listens; nothing else goes to stdout, so JSON output stays JSON lines.
  const gateway = await startVoiceGateway({
    port: port(values.port, 8081),
    host: values.host || "127.0.0.1",
    logLevel: logLevel(),
    ...(stream ? { logStream: stream } : {}),
    ...(transitionTimeoutMs !== undefined ? { transitionTimeoutMs } : {}),
  });
  // Graceful shutdown: close every client (4015) and release the port; the process then ends by itself.
  const stop = () => {
    gateway.close().catch((err: unknown) => {
      process.stderr.write(`parley: voice gateway shutdown failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
