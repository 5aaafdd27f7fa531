/**
 * A client process for test/crashProcess.test.ts, which SIGKILLs it mid-commit. It opens the device stored at
 * STORE (SQLite) and reports each step as a JSON line on stdout:
 *
 *   node crashChild.js after-accept STORE GROUP USER  add USER; pause once the server answered 201, before merging
 *   node crashChild.js before-send  STORE GROUP USER  add USER; pause once the pending commit is stored, unsent
 *   node crashChild.js loop         STORE GROUP TAG   forever: commit a key update, send `TAG-m<i>`
 *
 * A paused child stays alive until it is killed. Without arguments it prints this usage and exits 2.
 */
import {
  type CommitBundle,
  type CommitOutcome,
  HttpTransport,
  ParleyClient,
  SqliteStore,
} from "../src/index.js";

type Step =
  | { step: "ready"; epoch: number }
  | { step: "paused"; at: "after-accept" | "before-send"; epoch?: number; seq?: number }
  | { step: "merged"; epoch: number }
  | { step: "sent"; text: string; seq: number };

const report = (s: Step) => process.stdout.write(`${JSON.stringify(s)}\n`);

/** Hang here until killed (a timer keeps the event loop, and so the process, alive). */
const pauseForever = () =>
  new Promise<never>(() => {
    setInterval(() => {}, 60_000);
  });

class PausingTransport extends HttpTransport {
  constructor(
    serverUrl: string,
    private readonly at: "after-accept" | "before-send" | undefined,
  ) {
    super(serverUrl);
  }

  override async postCommit(groupId: string, bundle: CommitBundle): Promise<CommitOutcome> {
    if (this.at === "before-send") {
      report({ step: "paused", at: "before-send" });
      return pauseForever();
    }
    const outcome = await super.postCommit(groupId, bundle);
    if (this.at === "after-accept" && outcome.kind === "accepted") {
      report({ step: "paused", at: "after-accept", epoch: outcome.epoch, seq: outcome.seq });
      return pauseForever();
    }
    return outcome;
  }
}

async function main(argv: string[]): Promise<number> {
  const [mode, path, groupId, username] = argv;
  const known = mode === "after-accept" || mode === "before-send" || mode === "loop";
  if (!known || !path || !groupId || !username) {
    process.stderr.write("usage: crashChild.js after-accept|before-send|loop STORE GROUP USER|TAG\n");
    return 2;
  }
  const store = SqliteStore.open(path);
  const device = await store.loadDevice();
  if (!device) throw new Error("the store holds no device");
  const transport = new PausingTransport(device.serverUrl, mode === "loop" ? undefined : mode);
  const client = await ParleyClient.open({ store, transport, keyPackagePool: { lowWater: 3, target: 6 } });
  await client.start({ live: false });
  report({ step: "ready", epoch: client.epoch(groupId) });
  if (mode === "loop") {
    for (let i = 0; ; i++) {
      await client.updateKeys(groupId);
      report({ step: "merged", epoch: client.epoch(groupId) });
      const text = `${username}-m${i}`;
      report({ step: "sent", text, seq: await client.send(groupId, text) });
    }
  }
  await client.addMembers(groupId, [username as string]);
  // Not reached while the pause hook holds the commit.
  report({ step: "merged", epoch: client.epoch(groupId) });
  await client.close();
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
