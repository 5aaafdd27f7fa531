import { MlsHost } from "./mlsHost.js";
import type { HostApi, HostReply, SenderKey } from "./protocol.js";
import { serveSync, WithTransfer } from "./syncWorker.js";

/*
 * The MLS worker: hosts the DAVE sessions of every davey-compatible DAVESession in the process that started it.
 * ts-mls is asynchronous; the callers block until each answer (see syncWorker.ts).
 */

const hosts = new Map<number, MlsHost>();
let nextId = 1;

function hostFor(id: number): MlsHost {
  const host = hosts.get(id);
  if (!host) throw new Error(`no DAVE session ${id} in this worker`);
  return host;
}

/** Run one operation; a refusal becomes davey's message, prefixed as davey prefixes that operation's errors. */
async function reply<T>(
  id: number,
  prefix: string,
  operation: (host: MlsHost) => Promise<T>,
): Promise<HostReply<T>> {
  const host = hostFor(id);
  try {
    const value = await operation(host);
    return { ok: true, value, state: host.state() };
  } catch (err) {
    return { ok: false, message: `${prefix}: ${(err as Error).message}`, state: host.state() };
  }
}

/** Move the base secrets out of this thread with the reply. */
function transferKeys(answer: HostReply<SenderKey[]>): WithTransfer<HostReply<SenderKey[]>> {
  const buffers = answer.ok ? answer.value.map((k) => k.baseSecret.buffer as ArrayBuffer) : [];
  return new WithTransfer(answer, buffers);
}

serveSync<HostApi>({
  async create(init) {
    const host = await MlsHost.create(init);
    const id = nextId++;
    hosts.set(id, host);
    return { id, state: host.state() };
  },
  reinit: (id, init) => reply(id, "Failed to re-initialize session", (h) => h.reinit(init).then(() => null)),
  reset: (id) => reply(id, "Failed to reset session", (h) => h.reset().then(() => null)),
  setExternalSender: (id, data) =>
    reply(id, "Failed to set external sender", (h) => h.setExternalSender(data).then(() => null)),
  createKeyPackage: (id) => reply(id, "Failed to create key package", (h) => h.createKeyPackage()),
  processProposals: (id, operation, proposals, recognized) =>
    reply(id, "Failed to process proposals", (h) => h.processProposals(operation, proposals, recognized)),
  processCommit: async (id, commit) =>
    transferKeys(await reply(id, "Failed to process commit", (h) => h.processCommit(commit))),
  processWelcome: async (id, welcome) =>
    transferKeys(await reply(id, "Failed to process welcome", (h) => h.processWelcome(welcome))),
  async dispose(id) {
    hosts.get(id)?.dispose();
    hosts.delete(id);
  },
});
