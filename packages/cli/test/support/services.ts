import { createServer } from "node:net";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { type CliOptions, CliProcess } from "./cli.js";

/** `parley ARGS` running for the rest of test `t`: stopped (SIGTERM, then SIGKILL) when the test ends. */
export function startCli(t: TestContext, args: string[], options?: CliOptions): CliProcess {
  const child = new CliProcess(args, options);
  t.after(() => child.stop());
  return child;
}

export interface Service {
  readonly child: CliProcess;
  readonly url: string;
  readonly port: number;
}

/** `parley server --port 0` over a fresh SQLite file in `dir`, once it says where it listens. */
export async function startServer(t: TestContext, dir: string, args: string[] = []): Promise<Service> {
  const child = startCli(t, ["server", "--port", "0", "--db", join(dir, "server.db"), ...args], {
    env: { HOME: dir, PARLEY_HOME: dir },
  });
  const [, url = "", port] = await child.waitFor(/listening on (http:\/\/127\.0\.0\.1:(\d+))/);
  return { child, url, port: Number(port) };
}

/** `parley voice-gateway --port 0`, once it says where it listens. */
export async function startGateway(t: TestContext, args: string[] = []): Promise<Service> {
  const child = startCli(t, ["voice-gateway", "--port", "0", ...args]);
  const [, url = "", port] = await child.waitFor(/listening on (ws:\/\/127\.0\.0\.1:(\d+)\/)/);
  return { child, url, port: Number(port) };
}

/** A loopback port that nothing listens on: bound to find a free one, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
