import assert from "node:assert/strict";
import { cp, mkdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { CliProcess, type CliResult, TEST_PASSWORD, tempHome } from "./support/cli.js";
import { REPO_ROOT, readmeCommands, rootReadme } from "./support/readme.js";

/**
 * The root README's commands, run verbatim as a reader on a fresh clone would (issue 10): each scene types
 * what the README says, in the repository, and checks what the README promises. The last test fails for any
 * README command that no scene ran, so the README cannot gain a command nobody tries.
 */

const README = rootReadme();
const LISTED = new Set(readmeCommands(README).map((c) => c.command));

/** README commands this file does not run, and why that is enough. */
const ELSEWHERE = new Map([
  ["npm test", ".ci/run runs it on a fresh clone (this file is one of its tests)"],
  ["npm ci", ".ci/run's first step"],
  ["npm run lint", ".ci/run runs it"],
  ["npm run build", "`npm test` and `npm install && npm run build` (run below) run it"],
  ["npm run bench", "names the harness in prose; the concrete runs below use it"],
  ["npm run bench -- <name> [--quick] [--json FILE] [--html FILE]", "the general form of the runs below"],
  ["npm test -w @parley/<package>", "run below as npm test -w @parley/testkit"],
]);

const ran = new Set<string>();
const WAIT_MS = 120_000;

/** Start a README command line, verbatim (it must be in the README), in `cwd`; killed when the test ends. */
function start(t: TestContext, command: string, cwd: string, env: Record<string, string> = {}): CliProcess {
  assert.ok(LISTED.has(command) || command.startsWith("npm test -w "), `not in the README: ${command}`);
  for (const part of [command, ...command.split(" && ")]) ran.add(part); // `a && b` runs `a` and `b` too
  const child = new CliProcess([command], { shell: true, cwd, env });
  t.after(() => child.stop());
  return child;
}

async function run(
  t: TestContext,
  command: string,
  cwd: string,
  env: Record<string, string> = {},
  input = "",
): Promise<CliResult> {
  const child = start(t, command, cwd, env);
  child.write(input);
  child.endInput();
  const result = await child.finished(WAIT_MS);
  assert.equal(result.code, 0, `${command} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** A scratch folder inside the repository (`data/` is ignored by git), so `npx` finds the workspace's bin. */
async function scratch(t: TestContext): Promise<string> {
  const dir = join(REPO_ROOT, "data", `readme-${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe("the README's commands, verbatim", () => {
  it("Set up: npm install && npm start runs the demo; npx parley help lists the commands", async (t) => {
    const demo = await run(t, "npm install && npm start", REPO_ROOT);
    assert.match(demo.stdout, /done in [\d.]+ s; closing the clients and the server/);
    const help = await run(t, "npx parley help", REPO_ROOT);
    assert.match(help.stdout, /^usage: parley <command>/);
    await run(t, "npm install && npm run build", REPO_ROOT);
    const one = await run(t, "npm test -w @parley/testkit", REPO_ROOT);
    assert.match(one.stdout, /^# fail 0$/m);
  });

  it("two users on one machine: server, register, chat, devices", async (t) => {
    const cwd = await scratch(t);
    const home = await tempHome();
    t.after(() => home.remove());
    const env = { ...home.env, PARLEY_PASSWORD: TEST_PASSWORD };
    const server = start(t, "npx parley server", cwd);
    await server.waitFor(/parley server listening on http:\/\/127\.0\.0\.1:8080/, WAIT_MS);
    await run(t, "npx parley register --server http://127.0.0.1:8080 --username alice", cwd, env);
    await run(t, "npx parley register --server http://127.0.0.1:8080 --username bob", cwd, env);

    const alice = start(t, "npx parley chat --username alice", cwd, env);
    const bob = start(t, "npx parley chat --username bob", cwd, env);
    await Promise.all([alice.waitFor(/\* connected/, WAIT_MS), bob.waitFor(/\* connected/, WAIT_MS)]);
    alice.write("/new friends bob\n");
    await bob.waitFor(/\* you joined "friends"/, WAIT_MS);
    alice.write("hello bob\n");
    await alice.waitFor(/alice: hello bob {2}\(sent\)/, WAIT_MS);
    await bob.waitFor(/\d\d:\d\d alice: hello bob\n/, WAIT_MS);
    alice.write("/quit\n");
    bob.write("/quit\n");
    assert.equal((await alice.finished(WAIT_MS)).code, 0);
    assert.equal((await bob.finished(WAIT_MS)).code, 0);

    const devices = await run(t, "npx parley devices --username alice", cwd, env);
    assert.equal(devices.stdout.trim().split("\n").length, 1, devices.stdout);

    // With one account on the machine, `npx parley chat` needs no --username.
    const single = await tempHome();
    t.after(() => single.remove());
    await cp(join(home.dir, "127.0.0.1:8080", "alice"), join(single.dir, "127.0.0.1:8080", "alice"), {
      recursive: true,
    });
    const alone = await run(t, "npx parley chat", cwd, single.env, "/quit\n");
    assert.match(alone.stdout, /alice on device [0-9a-f]{12}/);
    assert.match(alone.stdout, /alice: hello bob/, "the history is there");
  });

  it("A local DAVE call: two members agree on the codes; --frames ends the second, the first keeps its identity", async (t) => {
    const cwd = await scratch(t);
    const gateway = start(t, "npx parley voice-gateway --port 8081", cwd);
    await gateway.waitFor(/voice gateway listening on ws:\/\/127\.0\.0\.1:8081/, WAIT_MS);
    const first = start(
      t,
      "npx parley voice-client --url ws://127.0.0.1:8081 --user 1001 --identity alice.identity",
      cwd,
    );
    await first.waitFor(/connected to ws:\/\/127\.0\.0\.1:8081 as 1001/, WAIT_MS);
    const second = await run(
      t,
      "npx parley voice-client --url ws://127.0.0.1:8081 --user 1002 --frames 150",
      cwd,
    );
    assert.match(second.stdout, /leaving after 150 frames/);
    const privacy = second.stdout.match(/voice privacy code ([\d ]+)\n/)?.[1];
    const pairwise = second.stdout.match(/verification code with 1001: ([\d ]+)\n/)?.[1];
    assert.ok(privacy && pairwise, second.stdout);
    await first.waitFor(/transition 0: alone in the call/, WAIT_MS);
    assert.ok(first.stdout.includes(`voice privacy code ${privacy}\n`), first.stdout);
    assert.ok(first.stdout.includes(`verification code with 1002: ${pairwise}\n`), first.stdout);
    first.kill("SIGINT"); // Ctrl-C: to the whole foreground group, npx included
    const ended = await first.finished(WAIT_MS);
    assert.ok(
      ended.code === 0 || ended.signal === "SIGINT",
      `${ended.code} ${ended.signal}: ${ended.stderr}`,
    );
    assert.match(ended.stdout, /leaving after \d+ frames/);
    assert.equal((await stat(join(cwd, "alice.identity"))).mode & 0o777, 0o600);
  });

  it("Benchmarks: the two example runs print their tables and write the JSON and HTML reports", async (t) => {
    const dave = await run(t, "npm run bench -- dave --quick", REPO_ROOT);
    assert.match(dave.stdout, /^goals: \d+ met, \d+ missed$/m);
    const server = await run(
      t,
      "npm run bench -- server --quick --json /tmp/server.json --html /tmp/server.html",
      REPO_ROOT,
    );
    assert.match(server.stdout, /^goals: \d+ met, \d+ missed$/m);
    const json = JSON.parse(await readFile("/tmp/server.json", "utf8")) as { name: string; rows: unknown[] };
    assert.equal(json.name, "server");
    assert.ok(json.rows.length > 0);
    assert.match(await readFile("/tmp/server.html", "utf8"), /<canvas/);
  });

  it("every command in the README was run here or is run by .ci/run", () => {
    const missing = [...LISTED].filter((c) => !ran.has(c) && !ELSEWHERE.has(c));
    assert.deepEqual(missing, [], "README commands no test runs");
    const stale = [...ELSEWHERE.keys()].filter((c) => !LISTED.has(c));
    assert.deepEqual(stale, [], "exemptions for commands the README no longer has");
  });
});
