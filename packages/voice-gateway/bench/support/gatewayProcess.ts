import { performance } from "node:perf_hooks";
import { startVoiceGateway } from "../../src/index.js";

/*
 * The voice gateway in its own process for `npm run bench -- voice`, so that its CPU time is measured apart
 * from the clients'. It reports its URL, then answers "usage" with its CPU time and event-loop utilization and
 * "stop" by closing.
 */

export interface GatewayUsage {
  readonly cpuMicros: number;
  readonly elu: { idle: number; active: number; utilization: number };
}

const gateway = await startVoiceGateway({ port: 0, logLevel: "silent" });
process.send?.({ url: gateway.url });
process.on("message", (message: unknown) => {
  if (message === "usage") {
    const cpu = process.cpuUsage();
    const usage: GatewayUsage = { cpuMicros: cpu.user + cpu.system, elu: performance.eventLoopUtilization() };
    process.send?.({ usage });
  } else if (message === "stop") {
    gateway.close().then(() => process.exit(0));
  }
});
