import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { runCli, tempHome } from "./support/cli.js";
import { startCli, startGateway } from "./support/services.js";

const CODE = /(\d{5}(?: \d{5}){8})/.source;

/** The verification code `member` prints for `other`, the first time after output position `since`. */
async function codeFor(member: ReturnType<typeof startCli>, other: string, since = 0): Promise<string> {
  const [, code = ""] = await member.waitFor(
    new RegExp(`verification code with ${other}: ${CODE}`),
    60_000,
    since,
  );
  return code;
}

/** A member that stays in the call until the test ends. */
async function stayingMember(t: TestContext, url: string, user: string) {
  const member = startCli(t, ["voice-client", "--url", url, "--user", user]);
  await member.waitFor(/^connected to /m);
  return member;
}

test("a member alone in the call holds its frames back, and --frames still ends the run", async (t) => {
  const { url } = await startGateway(t);
  const alone = await runCli(["voice-client", "--url", url, "--user", "1001", "--frames", "60"]);
  assert.equal(alone.code, 0, alone.stderr);
  assert.match(alone.stdout, /^connected to .* as 1001 in channel 1 \(DAVE protocol v1\)\n/);
  assert.match(alone.stdout, /\n\[1s\] sent 0, held back \d+; decrypted nothing\n/);
  assert.match(alone.stdout, /\nleaving after 60 frames \(sent 0, held back 60\)\n$/);
});

test("a second voice-client with the same --user is refused in one line, exit 1; the first stays", async (t) => {
  const { url } = await startGateway(t);
  const first = await stayingMember(t, url, "1001");
  const second = await runCli(["voice-client", "--url", url, "--user", "1001"]);
  assert.equal(second.code, 1);
  assert.equal(second.stderr, "parley: the voice gateway refused user 1001: already in the call\n");
  const since = first.mark();
  await first.waitFor(/\[\d+s\] sent/, 60_000, since);
  assert.equal(first.stderr, "");
});

test("two members agree on the codes; with --identity a rejoining member keeps its verification code", async (t) => {
  const home = await tempHome();
  t.after(() => home.remove());
  const { url } = await startGateway(t);
  const bob = await stayingMember(t, url, "1002");
  const identity = join(home.dir, "alice.identity");
  const alice = (args: string[] = []) =>
    runCli(["voice-client", "--url", url, "--user", "1001", "--frames", "75", ...args]);

  const codes: string[] = [];
  for (const args of [["--identity", identity], ["--identity", identity], []]) {
    const since = bob.mark();
    const run = await alice(args);
    assert.equal(run.code, 0, run.stderr);
    const seen = await codeFor(bob, "1001", since);
    assert.match(run.stdout, new RegExp(`verification code with 1002: ${seen}\\n`), "both see the same code");
    assert.match(run.stdout, /\] sent \d+, held back \d+; decrypted 1002 \d+ ok\n/);
    assert.doesNotMatch(run.stdout, /failed/);
    codes.push(seen);
  }
  assert.equal(codes[1], codes[0], "the same identity file, the same code");
  assert.notEqual(codes[2], codes[0], "without it, a new key and a new code");
  assert.equal((await stat(identity)).mode & 0o777, 0o600);
  assert.doesNotMatch(bob.output, /failed/);
});

test("the voice gateway shutting down ends a member's run: one line, exit 1", async (t) => {
  const gateway = await startGateway(t);
  const member = await stayingMember(t, gateway.url, "1001");
  await gateway.child.stop();
  const result = await member.finished();
  assert.equal(result.code, 1);
  assert.match(result.stdout, /\nleaving after \d+ frames \(sent 0, held back \d+\)\n$/);
  assert.equal(result.stderr, "parley: the voice gateway shut down\n");
});
