import { type BenchOptions, type BenchReport, type BenchRow, progress } from "@parley/bench";
import { DAVESession, ProposalsOperationType } from "@snazzah/davey";
import { Session } from "../src/index.js";
import { TestGateway } from "../test/session/testGateway.js";
import { frameRows } from "./frames.js";

const CHANNEL = "1000000000000000001";
const userId = (n: number) => (2_000_000_000_000_000n + BigInt(n)).toString();

function elapsed<T>(run: () => T): [T, number] {
  const t = performance.now();
  const result = run();
  return [result, performance.now() - t];
}

async function elapsedAsync<T>(run: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const result = await run();
  return [result, performance.now() - t];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * One call of `size` members: the measured Parley session P and davey sessions (D commits, R receives). Each
 * round the gateway proposes two new members, one Parley and one davey; P and D both process the proposals
 * (timed: process-proposals, which includes making the commit), D's commit wins and P and R process it
 * (process-commit), and the two newcomers process the Welcome (process-welcome).
 */
async function mlsRows(size: number, rounds: number): Promise<BenchRow[]> {
  const gateway = await TestGateway.create(CHANNEL);
  const sender = gateway.externalSender;
  const davey = (n: number) => {
    const s = new DAVESession(1, userId(n), CHANNEL);
    s.setExternalSender(Buffer.from(sender));
    return s;
  };
  const parley = async (n: number) => {
    const s = new Session();
    await s.init(1, CHANNEL, userId(n));
    await s.setExternalSender(sender);
    return s;
  };
  const creator = davey(0);
  const receiver = davey(1);
  const measured = await parley(2);
  const others = Array.from({ length: Math.max(0, size - 3) }, (_, i) => davey(3 + i));
  let members = 3 + others.length;
  const everyone = () => Array.from({ length: members + 2 }, (_, i) => userId(i));

  const initial = await Promise.all(
    [
      receiver.getSerializedKeyPackage(),
      measured.getMarshalledKeyPackage(),
      ...others.map((o) => o.getSerializedKeyPackage()),
    ].map((kp) => gateway.proposal(0n, { add: kp })),
  );
  const created = creator.processProposals(
    ProposalsOperationType.APPEND,
    Buffer.from(TestGateway.vector(initial)),
    everyone(),
  );
  if (!created.commit || !created.welcome) throw new Error("bench group creation failed");
  creator.processCommit(created.commit);
  receiver.processWelcome(created.welcome);
  for (const o of others) o.processWelcome(created.welcome);
  if (!(await measured.processWelcome(created.welcome, everyone()))) throw new Error("bench welcome failed");

  const times = { proposals: [[], []], commit: [[], []], welcome: [[], []] } as Record<
    string,
    [number[], number[]]
  >;
  for (let round = 0; round < rounds; round++) {
    const epoch = creator.epoch as bigint;
    const newcomerParley = await parley(members);
    const newcomerDavey = davey(members + 1);
    const proposals = TestGateway.vector([
      await gateway.proposal(epoch, { add: newcomerParley.getMarshalledKeyPackage() }),
      await gateway.proposal(epoch, { add: newcomerDavey.getSerializedKeyPackage() }),
    ]);
    members += 2;
    const recognized = everyone();
    const [, oursProposals] = await elapsedAsync(() =>
      measured.processProposals(Uint8Array.of(0, ...proposals), recognized),
    );
    const [commit, daveyProposals] = elapsed(() =>
      creator.processProposals(ProposalsOperationType.APPEND, Buffer.from(proposals), recognized),
    );
    receiver.processProposals(ProposalsOperationType.APPEND, Buffer.from(proposals), recognized);
    for (const o of others)
      o.processProposals(ProposalsOperationType.APPEND, Buffer.from(proposals), recognized);
    if (!commit.commit || !commit.welcome) throw new Error("bench commit failed");
    creator.processCommit(commit.commit);
    const [result, oursCommit] = await elapsedAsync(() => measured.processCommit(commit.commit as Buffer));
    if (result.kind !== "roster") throw new Error(`bench commit refused: ${result.kind}`);
    const [, daveyCommit] = elapsed(() => receiver.processCommit(commit.commit as Buffer));
    for (const o of others) o.processCommit(commit.commit);
    const [joined, oursWelcome] = await elapsedAsync(() =>
      newcomerParley.processWelcome(commit.welcome as Buffer, recognized),
    );
    if (!joined) throw new Error("bench welcome refused");
    const [, daveyWelcome] = elapsed(() => newcomerDavey.processWelcome(commit.welcome as Buffer));
    times.proposals?.[0].push(oursProposals);
    times.proposals?.[1].push(daveyProposals);
    times.commit?.[0].push(oursCommit);
    times.commit?.[1].push(daveyCommit);
    times.welcome?.[0].push(oursWelcome);
    times.welcome?.[1].push(daveyWelcome);
  }
  return Object.entries(times).map(([op, [ours, peer]]) => ({
    case: `n${size}-process-${op}`,
    unit: "ms",
    better: "lower" as const,
    ours: median(ours),
    peer: median(peer),
  }));
}

/** A two-member call (Parley + davey senders, a davey receiver) for the frame figures. */
async function frameParties() {
  const gateway = await TestGateway.create(CHANNEL);
  const daveySender = new DAVESession(1, userId(0), CHANNEL);
  const daveyReceiver = new DAVESession(1, userId(1), CHANNEL);
  for (const s of [daveySender, daveyReceiver]) s.setExternalSender(Buffer.from(gateway.externalSender));
  const parley = new Session();
  await parley.init(1, CHANNEL, userId(2));
  await parley.setExternalSender(gateway.externalSender);
  const adds = await Promise.all(
    [daveyReceiver.getSerializedKeyPackage(), parley.getMarshalledKeyPackage()].map((kp) =>
      gateway.proposal(0n, { add: kp }),
    ),
  );
  const ids = [userId(0), userId(1), userId(2)];
  const created = daveySender.processProposals(
    ProposalsOperationType.APPEND,
    Buffer.from(TestGateway.vector(adds)),
    ids,
  );
  if (!created.commit || !created.welcome) throw new Error("bench group creation failed");
  daveySender.processCommit(created.commit);
  daveyReceiver.processWelcome(created.welcome);
  await parley.processWelcome(created.welcome, ids);
  const ours = await parley.getKeyRatchet(userId(2));
  const oursForDavey = await parley.getKeyRatchet(userId(0));
  if (!ours || !oursForDavey) throw new Error("bench ratchets missing");
  return { ours, oursUserId: userId(2), oursForDavey, daveySender, daveyReceiver };
}

/** `npm run bench -- dave`: Parley's DAVE against @snazzah/davey 0.1.12 (native, OpenMLS) in the same process. */
export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const rows = await frameRows(await frameParties(), quick);
  for (const size of quick ? [2, 50] : [2, 10, 50, 100]) {
    progress(`MLS processing at ${size} members`);
    rows.push(...(await mlsRows(size, quick ? 3 : 5)));
  }
  return { name: "dave", peer: "@snazzah/davey 0.1.12", rows };
}
