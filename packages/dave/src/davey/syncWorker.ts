import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
  workerData,
} from "node:worker_threads";

/*
 * A synchronous call into an async worker (the synckit pattern): the caller posts a request on a private
 * MessagePort and blocks in Atomics.wait on a shared flag; the worker answers on the port, then raises the flag.
 * The reply is read with receiveMessageOnPort, so the caller's event loop never runs during a call.
 */

/** A value plus the ArrayBuffers to move (not copy) to the caller: secrets then leave no copy in the worker. */
export class WithTransfer<T> {
  constructor(
    readonly value: T,
    readonly transfer: readonly ArrayBuffer[],
  ) {}
}

/** What a worker serves: async operations over structured-clonable arguments and results. */
export type WorkerApi<Api> = {
  // biome-ignore lint/suspicious/noExplicitAny: argument lists of any shape; each API fixes its own.
  [Op in keyof Api]: (...args: any[]) => Promise<unknown>;
};

type Operation = (...args: unknown[]) => Promise<unknown>;

type Result<F> = F extends (...args: never[]) => Promise<infer R>
  ? R extends WithTransfer<infer T>
    ? T
    : R
  : never;

interface Request {
  /** 0 for a notification, which gets no reply. */
  readonly id: number;
  readonly op: string;
  readonly args: unknown[];
}

type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly fatal: boolean };

interface Channel {
  readonly port: MessagePort;
  /** [0] is 1 once the reply to the current request is on the port. */
  readonly flag: Int32Array;
}

/** The calling side: one worker, one call at a time, each blocking until the reply or the timeout. */
export class SyncWorker<Api extends WorkerApi<Api>> {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;
  private stopped?: string;

  constructor(
    entry: URL,
    private readonly timeoutMs: number,
  ) {
    const { port1, port2 } = new MessageChannel();
    const channel: Channel = { port: port2, flag: this.flag };
    // Workers inherit the process's flags, but --input-type stops a worker started from a file.
    const execArgv = process.execArgv.filter((flag) => !flag.startsWith("--input-type"));
    this.worker = new Worker(entry, { execArgv, workerData: channel, transferList: [port2] });
    // Calls block until answered, so the worker never has to keep the process alive.
    this.worker.unref();
    this.worker.on("error", (err) => this.stop(`it failed: ${err.message}`));
    this.worker.on("exit", (code) => this.stop(`it exited with code ${code}`));
    this.port = port1;
    this.port.unref();
  }

  /** False once the worker has failed, timed out or been terminated: every further call throws. */
  get running(): boolean {
    return this.stopped === undefined;
  }

  call<Op extends keyof Api & string>(op: Op, ...args: Parameters<Api[Op]>): Result<Api[Op]> {
    if (this.stopped !== undefined) throw new Error(`DAVE worker is not running: ${this.stopped}`);
    const id = this.nextId++;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ id, op, args } satisfies Request);
    if (Atomics.wait(this.flag, 0, 0, this.timeoutMs) === "timed-out") {
      this.terminate(`it did not answer ${op} within ${this.timeoutMs} ms`);
      throw new Error(`DAVE worker did not answer ${op} within ${this.timeoutMs} ms`);
    }
    const reply = receiveMessageOnPort(this.port)?.message as Reply | undefined;
    if (reply?.id !== id) {
      this.terminate(`it answered out of turn`);
      throw new Error(`DAVE worker answered ${op} out of turn`);
    }
    if (reply.ok) return reply.value as Result<Api[Op]>;
    if (reply.fatal) this.terminate(reply.message);
    throw new Error(reply.message);
  }

  /** Post without waiting: for cleanup that nobody needs an answer to. */
  notify<Op extends keyof Api & string>(op: Op, ...args: Parameters<Api[Op]>): void {
    if (this.stopped === undefined) this.port.postMessage({ id: 0, op, args } satisfies Request);
  }

  terminate(reason = "terminated"): void {
    this.stop(reason);
    void this.worker.terminate();
  }

  private stop(reason: string): void {
    this.stopped ??= reason;
  }
}

/**
 * The worker side: run `api` for requests from the SyncWorker that started this worker. A rejected operation
 * becomes an Error on the caller; an uncaught error or an exit mid-call answers that call as fatal, so the caller
 * throws at once instead of waiting out its timeout.
 */
export function serveSync<Api extends WorkerApi<Api>>(api: Api): void {
  const { port, flag } = workerData as Channel;
  let current = 0;
  const answer = (reply: Reply, transfer: readonly ArrayBuffer[] = []) => {
    current = 0;
    port.postMessage(reply, [...transfer]);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
  const fatal = (message: string) => {
    if (current !== 0) answer({ id: current, ok: false, message, fatal: true });
  };
  process.on("uncaughtException", (err) => {
    fatal(`DAVE worker failed: ${err.message}`);
    process.exit(1);
  });
  process.on("exit", (code) => fatal(`DAVE worker exited with code ${code}`));
  port.on("message", async ({ id, op, args }: Request) => {
    const operation = (api as Record<string, Operation | undefined>)[op];
    if (id !== 0) current = id;
    try {
      if (!operation) throw new Error(`unknown operation ${op}`);
      const result = await operation(...args);
      if (id === 0) return;
      if (result instanceof WithTransfer) answer({ id, ok: true, value: result.value }, result.transfer);
      else answer({ id, ok: true, value: result });
    } catch (err) {
      if (id !== 0) answer({ id, ok: false, message: (err as Error).message, fatal: false });
    }
  });
}
