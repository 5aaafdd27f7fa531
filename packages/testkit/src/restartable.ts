/** A service listening on a loopback port, as `restartable` starts it. */
export interface Listening {
  readonly port: number;
  stop(): Promise<void>;
}

/** A service that can go down (`stop`) and come back on the same port (`restart`): outages in tests. */
export interface Restartable {
  readonly port: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/** Start with `listen(0)` (any free port), then after each stop `listen(thatPort)`, so clients keep the URL. */
export async function restartable(listen: (port: number) => Promise<Listening>): Promise<Restartable> {
  let running: Listening | undefined = await listen(0);
  const { port } = running;
  return {
    port,
    async stop() {
      await running?.stop();
      running = undefined;
    },
    async restart() {
      running ??= await listen(port);
    },
  };
}
