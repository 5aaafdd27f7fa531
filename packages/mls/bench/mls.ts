import { type BenchOptions, type BenchReport, type BenchRow, progress, timeOp } from "@parley/bench";
import {
  type CryptoProvider,
  decodeGroup,
  defaultCryptoProvider,
  encodeGroup,
  loadSuite,
  MlsGroup,
  nodeCryptoProvider,
} from "../src/index.js";
import { buildGroup, freshKeyPackage } from "./groups.js";

/** mls-rs's published suite-1 empty commit at 128 members (see ../shared/docs/mls-notes.md). */
const MLS_RS_EMPTY_COMMIT_128_MS = 13.7;

type Figures = Map<string, { unit: string; value: number }>;

/** Every figure of the issue for one suite, size and provider, timed on a group built with that provider. */
async function measure(
  provider: CryptoProvider,
  suiteId: number,
  size: number,
  quick: boolean,
  only?: "empty-commit",
): Promise<Figures> {
  const suite = await loadSuite(suiteId, provider);
  const { creator, receiver } = await buildGroup(suite, size);
  const budget = { minMs: quick ? 150 : 400, minRuns: quick ? 3 : 5 };
  const figures: Figures = new Map();
  const ms = async (op: string, run: () => unknown) =>
    figures.set(op, { unit: "ms", value: await timeOp(run, budget) });
  const us = async (op: string, run: () => unknown) =>
    figures.set(op, { unit: "µs", value: 1000 * (await timeOp(run, { ...budget, minRuns: 50 })) });

  await ms("empty-commit", () => creator.commit());
  if (only) return figures;
  await ms("keypackage", () => freshKeyPackage(suite));
  const joiner = await freshKeyPackage(suite);
  await ms("add", () => creator.commit({ add: [joiner.message] }));
  const added = await creator.commit({ add: [joiner.message] });
  await ms("join", () => MlsGroup.joinFromWelcome(suite, added.welcome as Uint8Array, joiner));
  const empty = await creator.commit();
  await ms("process-empty-commit", () => receiver.process(empty.commit));
  // Remove the last member (the receiver itself in a group of two).
  const removed = size - 1;
  await ms("remove", () => creator.commit({ remove: [removed] }));
  const removal = await creator.commit({ remove: [removed] });
  await ms("process-remove", () => receiver.process(removal.commit));
  const payload = new Uint8Array(100).fill(7);
  await us("app-send", () => creator.encrypt(payload));
  const { message } = await creator.encrypt(payload);
  await us("app-receive", () => receiver.process(message));
  const state = encodeGroup(creator);
  await ms("state-encode", () => encodeGroup(creator));
  await ms("state-decode", () => decodeGroup(state, { provider }));
  figures.set("state-bytes", { unit: "bytes", value: state.length });
  return figures;
}

/** `npm run bench -- mls`: the facade on Parley's node:crypto provider vs ts-mls's default provider. */
export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const sizes = quick ? [2, 100] : [2, 10, 100, 1000];
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const compare = async (suiteId: number, size: number, only?: "empty-commit") => {
    progress(`suite ${suiteId}, ${size} members: node:crypto provider`);
    const ours = await measure(nodeCryptoProvider, suiteId, size, quick, only);
    progress(`suite ${suiteId}, ${size} members: ts-mls default provider`);
    const peer = await measure(defaultCryptoProvider, suiteId, size, quick, only);
    for (const [op, { unit, value }] of ours) {
      rows.push({
        case: `s${suiteId}-n${size}-${op}`,
        unit,
        better: "lower",
        ours: value,
        peer: peer.get(op)?.value ?? NaN,
      });
    }
    return ours;
  };
  for (const suiteId of [1, 2]) for (const size of sizes) await compare(suiteId, size);
  if (!quick) {
    const ours = await compare(1, 128, "empty-commit");
    const ms = ours.get("empty-commit")?.value ?? NaN;
    notes.push(
      `s1-n128-empty-commit: ${ms.toFixed(1)} ms vs mls-rs's published ${MLS_RS_EMPTY_COMMIT_128_MS} ms = ${(ms / MLS_RS_EMPTY_COMMIT_128_MS).toFixed(2)}× (goal ≤ 3×)`,
    );
  }
  for (const suiteId of [1, 2]) {
    const pair = sizes.includes(100) ? 100 : (sizes[0] as number);
    const find = (op: string) => rows.find((r) => r.case === `s${suiteId}-n${pair}-${op}`);
    const send = find("app-send");
    const receive = find("app-receive");
    if (send && receive) {
      const ratio = (send.peer + receive.peer) / (send.ours + receive.ours);
      notes.push(
        `s${suiteId}-n${pair} app send+receive: ${ratio.toFixed(1)}× faster than the default provider (goal ≥ 10×)`,
      );
    }
    const empty = find("empty-commit");
    if (empty)
      notes.push(
        `s${suiteId}-n${pair} empty commit: ${(empty.peer / empty.ours).toFixed(1)}× faster (goal ≥ 5×)`,
      );
  }
  return { name: "mls", peer: "ts-mls defaultCryptoProvider", rows, notes };
}
