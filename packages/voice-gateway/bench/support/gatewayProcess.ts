import { performance } from "node:perf_hooks";
import { startVoiceGateway, type VoiceGatewayOptions } from "../../src/index.js";

/*
 * The voice gateway in its own process for the voice benchmarks, so that its CPU time and memory are measured
 * apart from the clients'. Its options come as JSON in argv[2]. It reports its URL, then answers "usage" with
 * its CPU time and event-loop utilization, "memory" with its resident set size and the bytes its buffers hold
 * after a full garbage collection (what it holds, not garbage yet to be collected), and "stop" by closing.
 */

export interface GatewayUsage {
  readonly cpuMicros: number;
  readonly elu: { idle: number; active: number; utilization: number };
}

export interface GatewayMemory {
  readonly rssBytes: number;
  /** Bytes in ArrayBuffers and Buffers: unsent messages among them. */
  readonly bufferBytes: number;
}

const options = JSON.parse(process.argv[2] ?? "{}") as VoiceGatewayOptions;
const gateway = await startVoiceGateway({ ...options, port: 0, logLevel: "silent" });
process.send?.({ url: gateway.url });
process.on("message", (message: unknown) => {
  if (message === "usage") {
    const cpu = process.cpuUsage();
    const usage: GatewayUsage = {
      cpuMicros: cpu.user + cpu.system,
      elu: performance.eventLoopUtilization(),
    };
    process.send?.({ usage });
  } else if (message === "memory") {
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, arrayBuffers } = process.memoryUsage();
    const memory: GatewayMemory = { rssBytes: rss, bufferBytes: arrayBuffers };
    process.send?.({ memory });
  } else if (message === "stop") {
    gateway.close().then(() => process.exit(0));
  }
});
