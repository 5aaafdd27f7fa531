import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "./support/cli.js";

test("parley help lists each command's usage line and exits 0; an unknown command exits 2 with one line and a usage line", async () => {
  const help = await runCli(["help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: parley <command> \[options\]\n/);
  for (const command of ["register", "login", "chat", "demo", "server", "voice-gateway", "voice-client"])
    assert.match(help.stdout, new RegExp(`\\n  parley ${command}( |\\n)`));
  const unknown = await runCli(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.equal(
    unknown.stderr,
    'parley: unknown command "frobnicate"\nusage: parley <command> [options] (parley help lists the commands)\n',
  );
});
