import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempHome } from "./support/cli.js";
import { closedPort } from "./support/services.js";

/** A usage error: the one line, then the command's usage line, and nothing else; exit code 2. */
async function assertUsageError(args: string[], line: string, usage: RegExp): Promise<void> {
  const result = await runCli(args);
  assert.equal(result.code, 2, `exit code of parley ${args.join(" ")}: ${result.stderr}`);
  assert.equal(result.stdout, "");
  const [first, second, ...more] = result.stderr.split("\n");
  assert.equal(first, `parley: ${line}`);
  assert.match(second ?? "", usage);
  assert.deepEqual(more, [""]);
}

test("an unknown option is one line and the command's usage line, exit 2", async () => {
  await assertUsageError(
    ["server", "--bogus"],
    "unknown option --bogus",
    /^usage: parley server \[--port 8080\]/,
  );
  await assertUsageError(
    ["login", "--server", "http://127.0.0.1:1", "--bogus"],
    "unknown option --bogus",
    /^usage: parley login --server URL --username NAME/,
  );
  await assertUsageError(["demo", "now"], 'unexpected argument "now"', /^usage: parley demo$/);
});

test("a missing or malformed argument names the option, with the usage line, exit 2", async () => {
  const voice = /^usage: parley voice-client --url ws:\/\/127\.0\.0\.1:8081 --user ID/;
  await assertUsageError(["voice-client", "--url", "ws://127.0.0.1:8081"], "missing --user ID", voice);
  await assertUsageError(["voice-client", "--user", "1001"], "missing --url ws://HOST:PORT", voice);
  await assertUsageError(
    ["voice-client", "--url", "http://127.0.0.1:8081", "--user", "1001"],
    "--url must be a ws:// or wss:// URL",
    voice,
  );
  await assertUsageError(
    ["voice-client", "--url", "ws://127.0.0.1:8081", "--user", "alice"],
    '--user must be a decimal id such as 1001 (got "alice")',
    voice,
  );
  await assertUsageError(
    ["voice-client", "--url", "ws://127.0.0.1:8081", "--user", "1001", "--frames", "0"],
    '--frames must be a whole number of at least 1 (got "0")',
    voice,
  );
  const server = /^usage: parley server /;
  await assertUsageError(["server", "--port"], "--port needs a value", server);
  await assertUsageError(
    ["server", "--port", "http"],
    '--port must be a number from 0 to 65535 (got "http")',
    server,
  );
  await assertUsageError(
    ["voice-gateway", "--log-format", "xml"],
    '--log-format must be json or pretty (got "xml")',
    /^usage: parley voice-gateway /,
  );
});

test("an unreachable server is one line naming it and why, exit 1, without the password", async () => {
  const home = await tempHome();
  try {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const password = "not-to-be-printed";
    const login = await runCli(
      ["login", "--server", server, "--username", "x", "--store", join(home.dir, "device.db")],
      { env: { ...home.env, HOME: home.dir, PARLEY_PASSWORD: password } },
    );
    assert.equal(login.code, 1);
    assert.equal(login.stderr, `parley: cannot reach ${server}: connection refused\n`);
    assert.ok(!`${login.stdout}${login.stderr}`.includes(password));

    const gateway = `ws://127.0.0.1:${await closedPort()}/`;
    const voice = await runCli(["voice-client", "--url", gateway, "--user", "1001"]);
    assert.equal(voice.code, 1);
    assert.equal(voice.stderr, `parley: cannot reach ${gateway}: connection refused\n`);
  } finally {
    await home.remove();
  }
});

test("--debug adds the stack trace of the failure and of its causes", async () => {
  const home = await tempHome();
  try {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const login = await runCli(
      ["login", "--debug", "--server", server, "--username", "x", "--store", join(home.dir, "device.db")],
      { env: { ...home.env, HOME: home.dir, PARLEY_PASSWORD: "password" } },
    );
    assert.equal(login.code, 1);
    assert.match(login.stderr, new RegExp(`^parley: cannot reach ${server}: connection refused\\n`));
    assert.match(login.stderr, /\nParleyClientError: POST \/v1\/sessions: no response.*\n {4}at /);
    assert.match(login.stderr, /\ncaused by: Error: connect ECONNREFUSED/);
  } finally {
    await home.remove();
  }
});
