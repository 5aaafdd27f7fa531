import {
  type BenchGoal,
  type BenchOptions,
  type BenchReport,
  type BenchRow,
  progress,
  timeOp,
} from "@parley/bench";
import { decodeRatchetTree as tsMlsDecodeRatchetTree } from "ts-mls/ratchetTree.js";
import {
  type CryptoProvider,
  decodeGroup,
  defaultCryptoProvider,
  encodeGroup,
  loadSuite,
  MlsGroup,
  nodeCryptoProvider,
} from "../src/index.js";
import { decodeAll } from "../src/rfc9420/codec/index.js";
import { decodeRatchetTree } from "../src/rfc9420/wire/index.js";
import { buildGroup, freshKeyPackage } from "./groups.js";

/** mls-rs's published suite-1 empty commit at 128 members (see ../shared/docs/mls-notes.md). */
const MLS_RS_EMPTY_COMMIT_128_MS = 13.69;

type Figures = Map<string, { unit: string; value: number }>;

/** Every figure of the issue for one suite, size and provider, timed on a group built with that provider. */
async function measure(
  provider: CryptoProvider,
  label: string,
  suiteId: number,
  size: number,
  quick: boolean,
  only?: "empty-commit",
): Promise<Figures> {
  const suite = await loadSuite(suiteId, provider);
  const where = `s${suiteId}-n${size}, ${label}`;
  progress(`${where}: building a ${size}-member group`);
  const { creator, receiver } = await buildGroup(suite, size);
  const budget = { minMs: quick ? 75 : 400, minRuns: quick ? 3 : 5 };
  const figures: Figures = new Map();
  const timed = async (op: string, unit: "ms" | "µs", run: () => unknown) => {
    progress(`${where}: ${op}`);
    const options = unit === "ms" ? budget : { ...budget, minRuns: 50 };
    const ms = await timeOp(run, options);
    figures.set(op, { unit, value: unit === "ms" ? ms : 1000 * ms });
  };
  const ms = (op: string, run: () => unknown) => timed(op, "ms", run);
  const us = (op: string, run: () => unknown) => timed(op, "µs", run);

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
  // A goal is stated for a message's whole trip, sent and received.
  const trip = (figures.get("app-send")?.value ?? NaN) + (figures.get("app-receive")?.value ?? NaN);
  figures.set("app-send+receive", { unit: "µs", value: trip });
  const state = encodeGroup(creator);
  await ms("state-encode", () => encodeGroup(creator));
  await ms("state-decode", () => decodeGroup(state, { provider }));
  figures.set("state-bytes", { unit: "bytes", value: state.length });
  return figures;
}

/** Parley's own RFC 9420 codec (zero-copy views) against ts-mls's decoder on the same 100-member tree. */
async function ratchetTreeDecodeRow(quick: boolean): Promise<BenchRow> {
  const suite = await loadSuite(1, nodeCryptoProvider);
  progress("decode-ratchet-tree: building a 100-member group");
  const tree = (await buildGroup(suite, 100)).creator.ratchetTree();
  const options = { minMs: quick ? 75 : 400, minRuns: 50 };
  progress("decode-ratchet-tree: timing both decoders");
  const ours = await timeOp(() => decodeAll(tree, decodeRatchetTree, "ratchet_tree"), options);
  const peer = await timeOp(() => tsMlsDecodeRatchetTree(tree, 0), options);
  return {
    case: "s1-n100-decode-ratchet-tree",
    unit: "µs",
    better: "lower",
    ours: 1000 * ours,
    peer: 1000 * peer,
  };
}

/** The goals stated for a case: at 100 members against the default provider, at 128 against mls-rs. */
function goalsFor(suiteId: number, size: number, op: string): BenchGoal[] | undefined {
  if (size === 100 && op === "empty-commit") return [{ op: ">=", value: 5, against: "peer-ratio" }];
  if (size === 100 && op === "app-send+receive") return [{ op: ">=", value: 10, against: "peer-ratio" }];
  if (suiteId === 1 && size === 128 && op === "empty-commit") {
    const value = 3 * MLS_RS_EMPTY_COMMIT_128_MS;
    return [{ op: "<=", value, against: "absolute", text: `≤ 3× mls-rs = ${value.toFixed(1)} ms` }];
  }
  return undefined;
}

/** `npm run bench -- mls`: the facade on Parley's node:crypto provider vs ts-mls's default provider. */
export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const sizes = quick ? [2, 100] : [2, 10, 100, 1000];
  const rows: BenchRow[] = [];
  const compare = async (suiteId: number, size: number, only?: "empty-commit") => {
    const ours = await measure(nodeCryptoProvider, "node:crypto", suiteId, size, quick, only);
    const peer = await measure(defaultCryptoProvider, "ts-mls default", suiteId, size, quick, only);
    for (const [op, { unit, value }] of ours) {
      rows.push({
        case: `s${suiteId}-n${size}-${op}`,
        unit,
        better: "lower",
        ours: value,
        peer: peer.get(op)?.value ?? NaN,
        goals: goalsFor(suiteId, size, op),
      });
    }
  };
  for (const suiteId of [1, 2]) for (const size of sizes) await compare(suiteId, size);
  if (!quick) await compare(1, 128, "empty-commit");
  rows.push(await ratchetTreeDecodeRow(quick));
  const notes = quick
    ? []
    : [
        `s1-n128-empty-commit: its goal is within 3× of mls-rs's published ${MLS_RS_EMPTY_COMMIT_128_MS} ms (suite 1, 128 members)`,
        "s1-n100-decode-ratchet-tree: peer is ts-mls's decoder; ours is the rfc9420 codec (engine in progress)",
      ];
  return { name: "mls", peer: "ts-mls defaultCryptoProvider", rows, notes };
}
