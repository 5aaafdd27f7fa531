import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ParleyClientError } from "../src/index.js";
import { LiveDelivery } from "../src/live.js";
import type { ServerEvent, Transport } from "../src/transport/transport.js";
import { until } from "./harness.js";

/** A transport whose event stream is scripted per connection; other routes are not used by LiveDelivery. */
function scripted(connections: (ServerEvent[] | Error)[]): {
  transport: Transport;
  asked: (number | undefined)[];
} {
  const asked: (number | undefined)[] = [];
  const transport = {
    serverUrl: "http://127.0.0.1:9",
    async *events(lastEventId: number | undefined, signal: AbortSignal) {
      asked.push(lastEventId);
      const script = connections.shift();
      if (script instanceof Error) throw script;
      if (!script) {
        await new Promise((r) => signal.addEventListener("abort", r));
        return;
      }
      yield* script;
    },
  } as unknown as Transport;
  return { transport, asked };
}

describe("live delivery", () => {
  it("a lagged event triggers a resync by fetching, then resumes after the server's last event", async () => {
    const { transport, asked } = scripted([
      [
        { type: "message", id: 4, groupId: "g1" },
        { type: "lagged", id: 9 },
        { type: "message", id: 10, groupId: "never-read" },
      ],
      [{ type: "welcome", id: 12 }],
    ]);
    const log: string[] = [];
    let saved: number | undefined;
    const live = new LiveDelivery(
      transport,
      {
        loadLastEventId: async () => 3,
        saveLastEventId: async (id) => {
          saved = id;
        },
        groupChanged: (g) => log.push(`group ${g}`),
        welcome: () => log.push("welcome"),
        resync: async () => {
          log.push("resync");
        },
        connected: () => {},
        disconnected: () => {},
        error: (e) => log.push(`error ${e.code}`),
      },
      { initialMs: 1, maxMs: 5 },
    );
    live.start();
    await until(() => log.includes("welcome"), 2000, "second connection");
    await live.stop();
    assert.deepEqual(log.slice(0, 3), ["group g1", "resync", "welcome"]);
    assert.deepEqual(asked.slice(0, 2), [3, 9]);
    assert.equal(saved, 12);
  });

  it("a dropped stream is resynced and reconnected; protocol errors are reported, network ones are not; each failure and each opened stream tell the connection state", async () => {
    const { transport, asked } = scripted([
      new ParleyClientError("network", "GET /v1/events: no response"),
      new ParleyClientError("malformed-response", "GET /v1/events: the response is not an event stream"),
      [{ type: "group_update", id: 2, groupId: "g2" }],
    ]);
    const log: string[] = [];
    const states: string[] = [];
    const live = new LiveDelivery(
      transport,
      {
        loadLastEventId: async () => undefined,
        saveLastEventId: async () => {},
        groupChanged: (g) => log.push(`group ${g}`),
        welcome: () => log.push("welcome"),
        resync: async () => {
          log.push("resync");
        },
        connected: () => states.push("connected"),
        disconnected: (e) => states.push(`reconnecting ${e.code}`),
        error: (e) => log.push(`error ${e.code}`),
      },
      { initialMs: 1, maxMs: 5 },
    );
    live.start();
    await until(() => states.length === 4, 2000, "the third connection and its end");
    await live.stop();
    assert.deepEqual(log.slice(0, 4), ["resync", "error malformed-response", "resync", "group g2"]);
    assert.equal(asked[0], undefined);
    // The third stream ends after its event: that is a drop too.
    assert.deepEqual(states, [
      "reconnecting network",
      "reconnecting malformed-response",
      "connected",
      "reconnecting network",
    ]);
  });
});
