import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "./support/cli.js";

test("parley help lists the commands and exits 0; an unknown command exits 2 with one line and the usage", async () => {
  const help = await runCli(["help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: parley <command>/);
  for (const command of ["register", "login", "chat", "demo", "server", "voice-gateway", "voice-client"])
    assert.match(help.stdout, new RegExp(`\\n  ${command} `));
  const unknown = await runCli(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^parley: unknown command "frobnicate"\n/);
});
