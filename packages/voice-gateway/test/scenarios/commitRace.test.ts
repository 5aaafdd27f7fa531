import assert from "node:assert/strict";
import { test } from "node:test";
import type { GatewayMessage } from "@parley/dave";
import {
  type Interceptor,
  type LiveCall,
  startLiveCall,
  unexpectedFailures,
  userIdOf,
} from "../helpers/call.js";
import { until } from "../helpers/member.js";

/**
 * Scenario (d): several members commit in the same epoch. Every member's op 28 is held until the test releases
 * it, so the order in which the gateway sees the competing commits is chosen: the first valid one must be the
 * only one broadcast (op 29), the late ones refused, and everyone must converge on the winner's epoch while
 * audio keeps flowing.
 */

/** Holds a member's op 28 until released, and records the commits it is announced (op 29). */
class CommitGate implements Interceptor {
  holding = true;
  readonly held: Array<() => void> = [];
  readonly heldBytes: Uint8Array[] = [];
  readonly announced: Uint8Array[] = [];

  onSendBinary(op: number, payload: Uint8Array, send: (op: number, payload: Uint8Array) => void): void {
    if (op !== 28 || !this.holding) {
      send(op, payload);
      return;
    }
    this.heldBytes.push(payload);
    this.held.push(() => send(op, payload));
  }

  onReceive(message: GatewayMessage, deliver: (message: GatewayMessage) => void): void {
    if (message.kind === "binary" && message.op === 29) this.announced.push(message.payload.subarray(2));
    deliver(message);
  }

  release(): Uint8Array[] {
    const bytes = this.heldBytes.splice(0);
    for (const send of this.held.splice(0)) send();
    return bytes;
  }
}

/** The test's call, and each member's gate. */
interface Race {
  readonly call: LiveCall;
  readonly gates: Map<string, CommitGate>;
}

const counters = (call: LiveCall) => {
  const s = call.gateway.inspect();
  return { broadcast: s?.commitsBroadcast ?? 0, rejected: s?.commitsRejected ?? 0 };
};

/** Join with a gate that lets commits through until `holding` is set. */
async function join({ call, gates }: Race, n: number): Promise<string> {
  const id = userIdOf(4, n);
  const gate = new CommitGate();
  gate.holding = false;
  gates.set(id, gate);
  await call.join(id, "parley", { interceptor: gate });
  return id;
}

/**
 * Make a membership change with every member's commit held, then release them in `order` (each group at
 * once): only the first group's first commit may win.
 */
async function race({ call, gates }: Race, change: () => Promise<unknown>, order: string[][]): Promise<void> {
  const committers = order.flat();
  for (const id of committers) (gates.get(id) as CommitGate).holding = true;
  const before = counters(call);
  await change();
  await until(
    () => committers.every((id) => (gates.get(id) as CommitGate).held.length === 1),
    "every committer to have made its commit",
  );
  const [first, ...rest] = order as [string[], ...string[][]];
  const firstBytes = first.map((id) => (gates.get(id) as CommitGate).release()[0] as Uint8Array);
  await until(() => counters(call).broadcast === before.broadcast + 1, "the first commit to be broadcast");
  for (const group of rest) for (const id of group) (gates.get(id) as CommitGate).release();
  await call.settled();
  for (const id of committers) (gates.get(id) as CommitGate).holding = false;
  // Every commit released is judged, broadcast or refused, before the counts are compared.
  const judged = () => {
    const now = counters(call);
    return now.broadcast + now.rejected - before.broadcast - before.rejected;
  };
  await until(
    () => judged() >= committers.length,
    `the gateway to judge all ${committers.length} commits`,
    () => `${judged()} judged`,
  );
  const after = counters(call);
  assert.equal(after.broadcast, before.broadcast + 1, "exactly one commit broadcast for the epoch");
  assert.equal(after.rejected, before.rejected + committers.length - 1, "every other commit refused");
  // Every member still in the call was announced the same commit, one of the first group's.
  const announced = [...call.members.keys()]
    .filter((id) => gates.get(id)?.announced.length)
    .map((id) => Buffer.from((gates.get(id) as CommitGate).announced.at(-1) as Uint8Array).toString("hex"));
  assert.ok(announced.length >= committers.length - 1);
  assert.equal(new Set(announced).size, 1, "one commit announced to all");
  assert.ok(
    firstBytes.some((b) =>
      Buffer.from(b)
        .toString("hex")
        .startsWith(announced[0] as string),
    ),
    "the winner is from the first group released",
  );
}

test("competing commits in one epoch: the first is broadcast, the rest refused, everyone converges", async (t) => {
  const call = await startLiveCall(t);
  const r: Race = { call, gates: new Map() };
  const [a, b, c] = [await join(r, 0), await join(r, 1), await join(r, 2)];
  await call.settled();
  call.startAudio();
  await call.talk(10);

  // D joins: a, b and c all commit the Add; a's commit arrives first, b's and c's after the broadcast.
  await race(r, () => join(r, 3), [[a], [b, c]]);
  const d = userIdOf(4, 3);
  // E joins: the reverse order; d (just welcomed) competes too.
  await race(r, () => join(r, 4), [[c], [d, b, a]]);
  // Two commits on the wire at once: whichever the gateway reads first wins, the other is refused.
  await race(r, () => join(r, 5), [
    [a, b],
    [c, d, userIdOf(4, 4)],
  ]);
  // A leave: Remove commits carry an UpdatePath; b's wins, the others' (with their own paths) are refused.
  await race(r, () => call.leave(a), [[b], [c, d, userIdOf(4, 4), userIdOf(4, 5)]]);
  await call.talk(15);
  await call.stopAudio();
  call.countLost();

  const cnt = call.counts;
  const s = call.gateway.inspect();
  t.diagnostic(
    `${call.summary("commit-race")}; gateway: ${s?.commitsBroadcast} commits broadcast, ${s?.commitsRejected} refused`,
  );
  assert.deepEqual(unexpectedFailures(call), []);
  assert.equal(cnt.failedNotAllowed, 0, `disallowed failures: ${call.incidents.join("; ")}`);
  assert.equal(cnt.plaintext + cnt.corrupted + cnt.unknown + cnt.refused + cnt.lost, 0);
  assert.equal(cnt.authenticatorDisagreements, 0);
});
