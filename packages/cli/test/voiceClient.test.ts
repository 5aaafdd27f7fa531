import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { VoiceGatewayClient } from "@parley/voice-gateway";
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

const REFUSED =
  "parley: the voice gateway turned end-to-end encryption off (DAVE protocol version 0); refused (--require-e2ee)\n";

/** A member without DAVE (max_dave_protocol_version 0): the gateway runs the call at version 0 while it is there. */
async function memberWithoutDave(t: TestContext, url: string, user: string): Promise<void> {
  const client = await VoiceGatewayClient.connect(url, user, { maxDaveProtocolVersion: 0 });
  t.after(() => client.close());
}

test("--require-e2ee: a downgrade when a member without DAVE joins ends the run: one line, exit 1", async (t) => {
  const { url } = await startGateway(t);
  const member = startCli(t, ["voice-client", "--url", url, "--user", "1001", "--require-e2ee"]);
  await member.waitFor(/^connected to .* \(DAVE protocol v1\)$/m);
  await memberWithoutDave(t, url, "1002");
  const result = await member.finished();
  assert.equal(result.code, 1);
  assert.equal(result.stderr, REFUSED);
  assert.doesNotMatch(result.stdout, /protocol version 0, no end-to-end encryption/);
  assert.match(result.stdout, /\nleaving after \d+ frames \(sent 0, held back \d+\)\n$/);
});

test("--require-e2ee: joining a call already at version 0 is refused; without the flag it runs in the clear", async (t) => {
  const { url } = await startGateway(t);
  await memberWithoutDave(t, url, "1002");
  const refused = await runCli(["voice-client", "--url", url, "--user", "1001", "--require-e2ee"]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, REFUSED);
  assert.match(refused.stdout, /^connected to .* \(DAVE protocol v0\)\n/);
  assert.match(refused.stdout, /\nleaving after \d+ frames \(sent 0, held back \d+\)\n$/);

  const plain = await runCli(["voice-client", "--url", url, "--user", "1003", "--frames", "60"]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /\nleaving after 60 frames \(sent 60, held back 0\)\n$/);
});
