import { randomBytes, randomInt } from "node:crypto";
import { type BenchOptions, type BenchReport, type BenchRow, progress } from "@parley/bench";
import { RelayCodec, VoiceGatewayClient } from "../src/index.js";
import { attachMember, type CallMember, type MemberKind } from "../test/helpers/call.js";
import { CHANNEL } from "../test/helpers/member.js";
import { startGateway } from "./support/gateway.js";

/*
 * `npm run bench -- voice [--quick]`: DAVE calls through the voice gateway over loopback WebSockets, the
 * gateway in a child process (its CPU measured apart), every client in this process. "ours" = members driven
 * by Parley's VoiceSession, "peer" = the same members driven by @snazzah/davey's native DAVESession.
 */

const FRAME_MS = 20;
const userId = (run: number, n: number) => (7_100_000_000_000_000n + BigInt(run * 1000 + n)).toString();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Every member sends under the same, latest epoch. */
function settled(members: readonly CallMember[]): boolean {
  const first = members[0]?.authenticator ?? "";
  return (
    members.length < 2 ||
    (first !== "" && members.every((m) => m.authenticator === first && m.sendingEpoch === first))
  );
}

/** A member and the time it sent its key package (op 26). */
async function connect(
  url: string,
  id: string,
  kind: MemberKind,
): Promise<{ member: CallMember; kpAt: number[] }> {
  const client = await VoiceGatewayClient.connect(url, id, { channelId: CHANNEL, timeoutMs: 30_000 });
  const kpAt: number[] = [];
  const send = client.sendBinary.bind(client);
  client.sendBinary = (op, payload) => {
    if (op === 26) kpAt.push(performance.now());
    send(op, payload);
  };
  return { member: attachMember(kind, client, randomInt(1, 0xffffffff)), kpAt };
}

/**
 * Join `count` members in batches, waiting after each until the call settles. Batches of 24 keep the setup of
 * a 50-member call short: every batch makes every member already in the call process its proposals and commit.
 */
async function populate(url: string, kind: MemberKind, run: number, count: number): Promise<CallMember[]> {
  const members: CallMember[] = [];
  for (let n = 0; n < count; ) {
    const batch = Math.min(n === 0 ? 2 : 24, count - n);
    const joined = await Promise.all(
      Array.from({ length: batch }, (_, i) => connect(url, userId(run, n + i), kind)),
    );
    members.push(...joined.map((j) => j.member));
    n += batch;
    await until(() => settled(members), `${members.length} ${kind} members to settle`);
    progress(`  ${members.length} of ${count} ${kind} members in the call`);
  }
  return members;
}

/** Send one synthetic Opus frame if the member has a key. */
function speak(member: CallMember): boolean {
  const out = member.seal(randomBytes(60 + randomInt(61)));
  if (out.ok) member.client.sendMedia(member.ssrc, RelayCodec.opus, out.frame);
  return out.ok;
}

/**
 * join-first-frame: a call of n − 1 members where one (the speaker) sends audio; a new member joins and sends
 * audio as soon as it can. Measured from the joiner's key package (op 26) to (a) the joiner's first decrypted
 * frame from the speaker, (b) the speaker's first decrypted frame from the joiner. Median over `reps` joins
 * (the joiner leaves again between them).
 */
async function joinLatency(
  kind: MemberKind,
  n: number,
  reps: number,
  run: number,
): Promise<{ hears: number; heard: number }> {
  const gateway = await startGateway();
  const closers: Array<() => Promise<void>> = [];
  try {
    const members = await populate(gateway.url, kind, run, n - 1);
    closers.push(...members.map((m) => () => m.client.close()));
    const speaker = members[0] as CallMember;
    const talk = setInterval(() => speak(speaker), FRAME_MS);
    closers.push(async () => clearInterval(talk));
    const hears: number[] = [];
    const heard: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const joinerId = userId(run, 900 + rep);
      let joinerHeard = Number.NaN;
      let speakerHeard = Number.NaN;
      const onSpeaker = (from: string, _s: number, _c: number, frame: Uint8Array) => {
        if (from === joinerId && Number.isNaN(speakerHeard) && speaker.open(from, frame).ok)
          speakerHeard = performance.now();
      };
      speaker.client.on("media", onSpeaker);
      const { member: joiner, kpAt } = await connect(gateway.url, joinerId, kind);
      joiner.client.on("media", (from, _s, _c, frame) => {
        if (from === speaker.userId && Number.isNaN(joinerHeard) && joiner.open(from, frame).ok)
          joinerHeard = performance.now();
      });
      const joinerTalk = setInterval(() => speak(joiner), FRAME_MS);
      await until(() => !Number.isNaN(joinerHeard) && !Number.isNaN(speakerHeard), "first frames both ways");
      clearInterval(joinerTalk);
      speaker.client.off("media", onSpeaker);
      const t0 = kpAt[0] as number;
      hears.push(joinerHeard - t0);
      heard.push(speakerHeard - t0);
      await until(() => settled([...members, joiner]), "the join to settle");
      const joinedEpoch = joiner.authenticator;
      await joiner.client.close();
      joiner.dispose();
      await until(
        () => settled(members) && members.every((m) => m.authenticator !== joinedEpoch),
        "the leave to settle",
      );
    }
    return { hears: median(hears), heard: median(heard) };
  } finally {
    for (const close of closers) await close();
    await gateway.stop();
  }
}

interface RelayResult {
  deliveriesPerSecond: number;
  offeredPerSecond: number;
  gatewayCpu: number;
  gatewayElu: number;
  clientsCpu: number;
  decryptFailures: number;
}

/**
 * relay-throughput: n members all sending audio at 50 frames/s for `seconds`; every client counts what it
 * receives, one of them also decrypts everything. Deliveries/s = frames the gateway relayed to clients (each
 * frame goes to n − 1 of them), measured at the clients.
 */
async function relayThroughput(
  kind: MemberKind,
  n: number,
  seconds: number,
  run: number,
): Promise<RelayResult> {
  const gateway = await startGateway();
  const members = await populate(gateway.url, kind, run, n);
  try {
    let deliveries = 0;
    let failures = 0;
    const checker = members[0] as CallMember;
    for (const m of members) {
      m.client.on("media", (from, _s, _c, frame) => {
        deliveries++;
        if (m === checker && !checker.open(from, frame).ok) failures++;
      });
    }
    let sent = 0;
    const talk = setInterval(() => {
      for (const m of members) if (speak(m)) sent++;
    }, FRAME_MS);
    progress(`  ${n} members talking: 1 s warm-up, then ${seconds} s measured`);
    await sleep(1000); // warm up
    const [g0, c0, d0, s0, t0] = [
      await gateway.usage(),
      process.cpuUsage(),
      deliveries,
      sent,
      performance.now(),
    ];
    await sleep(seconds * 1000);
    const [g1, c1, d1, s1, t1] = [
      await gateway.usage(),
      process.cpuUsage(),
      deliveries,
      sent,
      performance.now(),
    ];
    clearInterval(talk);
    const wallMicros = (t1 - t0) * 1000;
    const elu0 = g0.elu;
    const elu1 = g1.elu;
    return {
      deliveriesPerSecond: ((d1 - d0) * 1000) / (t1 - t0),
      offeredPerSecond: ((s1 - s0) * (n - 1) * 1000) / (t1 - t0),
      gatewayCpu: (100 * (g1.cpuMicros - g0.cpuMicros)) / wallMicros,
      gatewayElu: (100 * (elu1.active - elu0.active)) / (elu1.active + elu1.idle - elu0.active - elu0.idle),
      clientsCpu: (100 * (c1.user + c1.system - c0.user - c0.system)) / wallMicros,
      decryptFailures: failures,
    };
  } finally {
    progress("  closing the call");
    // The gateway closes first: members leaving one by one would each make every other member commit a removal.
    await gateway.stop();
    for (const m of members) {
      await m.client.close();
      m.dispose();
    }
  }
}

export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const sizes = quick ? [2, 10] : [2, 10, 50];
  let runId = 0;
  for (const n of sizes) {
    const reps = n >= 50 ? 3 : quick ? 3 : 5;
    progress(`join n${n}: Parley VoiceSession members`);
    const ours = await joinLatency("parley", n, reps, runId++);
    progress(`join n${n}: davey members`);
    const peer = await joinLatency("davey", n, reps, runId++);
    rows.push(
      { case: `join-first-frame-n${n}`, unit: "ms", better: "lower", ours: ours.hears, peer: peer.hears },
      { case: `join-heard-by-member-n${n}`, unit: "ms", better: "lower", ours: ours.heard, peer: peer.heard },
    );
  }
  const seconds = quick ? 2 : 10;
  progress(`relay n50 for ${seconds} s: Parley members`);
  const ours = await relayThroughput("parley", 50, seconds, runId++);
  progress(`relay n50 for ${seconds} s: davey members`);
  const peer = await relayThroughput("davey", 50, seconds, runId++);
  rows.push(
    {
      case: "relay-throughput-n50",
      unit: "frames/s",
      better: "higher",
      ours: ours.deliveriesPerSecond,
      peer: peer.deliveriesPerSecond,
    },
    {
      case: "relay-n50-gateway-cpu",
      unit: "%",
      better: "lower",
      ours: ours.gatewayCpu,
      peer: peer.gatewayCpu,
    },
    {
      case: "relay-n50-clients-cpu",
      unit: "%",
      better: "lower",
      ours: ours.clientsCpu,
      peer: peer.clientsCpu,
    },
  );
  notes.push(
    "join-first-frame-nN: ms from the joiner sending its key package (op 26) to its first successfully decrypted",
    "  frame from an existing member that talks at 50 frames/s; join-heard-by-member-nN: to that member's first",
    "  decrypted frame from the joiner (which talks as soon as it has a key). Median of 3–5 joins into a call of",
    "  N − 1 members; all members live in this one thread, so each join includes every member's MLS work (they",
    "  all commit the Add; the gateway broadcasts the first commit) plus the gateway's 20 ms proposal batching.",
    "relay-throughput-n50: frames/s the gateway delivered to clients while 50 members each sent 50 frames/s of",
    `  DAVE-encrypted audio (offered ${ours.offeredPerSecond.toFixed(0)}/s = 50 × 50 × 49), measured at the clients over ${seconds} s;`,
    "  peer = the same run with davey-driven members (the same gateway: the difference is the clients' cost).",
    "  Delivered ≈ offered means the gateway kept up: this is the load of a 50-member call, not a saturation point.",
    `  CPU %: process CPU time / wall time (100 % = one core); the gateway runs in a child process (event-loop`,
    `  utilization ${ours.gatewayElu.toFixed(0)} % / peer ${peer.gatewayElu.toFixed(0)} %), the 50 clients in this process. ` +
      `Decrypt failures at the checking member: ${ours.decryptFailures} / peer ${peer.decryptFailures}.`,
  );
  return { name: "voice", peer: "davey members", rows, notes };
}
