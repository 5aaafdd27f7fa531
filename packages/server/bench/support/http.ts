import { type Agent, request } from "node:http";

/** POST one application message as a `message/mls` body; resolves to its sequence number. */
export function postMessage(
  agent: Agent,
  server: URL,
  token: string,
  groupId: string,
  body: Uint8Array,
): Promise<number> {
  return new Promise<number>((accepted, failed) => {
    const req = request(
      {
        host: server.hostname,
        port: server.port,
        path: `/v1/groups/${groupId}/messages`,
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "message/mls",
          "content-length": body.length,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () =>
          res.statusCode === 201
            ? accepted((JSON.parse(text) as { seq: number }).seq)
            : failed(new Error(`post refused: ${res.statusCode} ${text}`)),
        );
      },
    );
    req.on("error", failed);
    req.end(body);
  });
}

const MESSAGE_EVENT = /event: message\ndata: \{"groupId":"([^"]*)","seq":(\d+)/g;

/**
 * Open a device's SSE stream; `onMessage` gets each `message` event's group, sequence number and arrival time
 * (`now()`, read once per chunk). Resolves once the first bytes (the stream's opening) arrive.
 */
export function openEventStream(
  agent: Agent,
  server: URL,
  token: string,
  now: () => number,
  onMessage: (groupId: string, seq: number, at: number) => void,
): Promise<void> {
  return new Promise<void>((connected, failed) => {
    const req = request(
      {
        host: server.hostname,
        port: server.port,
        path: "/v1/events",
        agent,
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        if (res.statusCode !== 200) return failed(new Error(`SSE refused: ${res.statusCode}`));
        res.setEncoding("utf8");
        let carry = "";
        res.once("data", () => connected());
        res.on("data", (chunk: string) => {
          const at = now();
          const text = carry + chunk;
          const end = text.lastIndexOf("\n\n");
          carry = text.slice(end + 2);
          for (const m of text.slice(0, end + 2).matchAll(MESSAGE_EVENT))
            onMessage(m[1] ?? "", Number(m[2]), at);
        });
        res.on("error", () => undefined);
      },
    );
    req.on("error", failed);
    req.end();
  });
}
