import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { VoiceGatewayOptions } from "../../src/index.js";
import type { GatewayMemory, GatewayUsage } from "./gatewayProcess.js";

/** A voice gateway running in a child process (support/gatewayProcess.ts). */
export interface GatewayProcess {
  readonly url: string;
  usage(): Promise<GatewayUsage>;
  /** Resident set size and buffer bytes, after a full garbage collection. */
  memory(): Promise<GatewayMemory>;
  stop(): Promise<void>;
}

export async function startGateway(
  options: Omit<VoiceGatewayOptions, "logStream"> = {},
): Promise<GatewayProcess> {
  const child: ChildProcess = fork(
    fileURLToPath(new URL("./gatewayProcess.js", import.meta.url)),
    [JSON.stringify(options)],
    { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: ["--expose-gc"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`gateway process exited (${code})`)));
  });
  return {
    url,
    usage: () =>
      new Promise((resolve) => {
        child.once("message", (m) => resolve((m as { usage: GatewayUsage }).usage));
        child.send("usage");
      }),
    memory: () =>
      new Promise((resolve) => {
        child.once("message", (m) => resolve((m as { memory: GatewayMemory }).memory));
        child.send("memory");
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.send("stop");
      }),
  };
}
