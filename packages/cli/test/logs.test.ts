import assert from "node:assert/strict";
import { test } from "node:test";
import { tempHome } from "./support/cli.js";
import { startGateway, startServer } from "./support/services.js";

const TIME_AND_LEVEL = /^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR|DEBUG): /;

/** Every complete line of `text`, parsed as JSON (throws on any line that is not). */
const jsonLines = (text: string) =>
  text
    .slice(0, text.lastIndexOf("\n") + 1)
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test("parley server logs JSON lines when stdout is not a terminal: the listening line, one per request", async (t) => {
  const home = await tempHome();
  t.after(() => home.remove());
  const { child, url } = await startServer(t, home.dir);
  assert.equal((await fetch(`${url}/health`)).status, 200);
  await child.waitFor(/"msg":"request".*\n/);
  const lines = jsonLines(child.stdout);
  assert.ok(
    lines.some((l) => l.msg === `parley server listening on ${url}, database SQLite ${home.dir}/server.db`),
  );
  const requests = lines.filter((l) => l.msg === "request");
  assert.deepEqual(
    requests.map((l) => [l.method, l.url, l.status, typeof l.ms]),
    [["GET", "/health", 200, "number"]],
  );
});

test("parley server --log-format pretty logs one readable line per event", async (t) => {
  const home = await tempHome();
  t.after(() => home.remove());
  const { child, url } = await startServer(t, home.dir, ["--log-format", "pretty"]);
  assert.equal((await fetch(`${url}/health`)).status, 200);
  const [line] = await child.waitFor(/^.*INFO: request .*\n/m);
  assert.match(line, TIME_AND_LEVEL);
  assert.match(line, / reqId=req-\d+ method=GET url=\/health status=200 ms=\d+\n$/);
  const complete = child.stdout.slice(0, child.stdout.lastIndexOf("\n"));
  for (const l of complete.split("\n")) assert.match(l, TIME_AND_LEVEL);
  assert.match(child.stdout, new RegExp(`INFO: parley server listening on ${url}, database SQLite `));
});

test("parley voice-gateway logs JSON lines by default off a terminal and readable lines with --log-format pretty", async (t) => {
  const json = await startGateway(t);
  await json.child.waitFor(/listening.*\n/);
  const [first] = jsonLines(json.child.stdout);
  assert.equal(first?.msg, `voice gateway listening on ${json.url}`);
  assert.equal(first?.port, json.port);

  const pretty = await startGateway(t, ["--log-format", "pretty"]);
  const [line] = await pretty.child.waitFor(/^.*listening.*\n/m);
  assert.match(line, TIME_AND_LEVEL);
  assert.ok(line.includes(`INFO: voice gateway listening on ${pretty.url} service=voice-gateway `), line);
});
