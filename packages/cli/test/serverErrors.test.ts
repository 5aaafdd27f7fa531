import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempHome } from "./support/cli.js";
import { startServer } from "./support/services.js";

test("a wrong password against a real server is one line, exit 1", async (t) => {
  const home = await tempHome();
  t.after(() => home.remove());
  const { url } = await startServer(t, home.dir);
  const account = (password: string, store: string) => ({
    env: { ...home.env, HOME: home.dir, PARLEY_PASSWORD: password },
    args: ["--server", url, "--username", "alice", "--store", join(home.dir, store)],
  });
  const right = account("correct horse battery", "first.db");
  const registered = await runCli(["register", ...right.args], { env: right.env });
  assert.equal(registered.code, 0, registered.stderr);

  const wrong = account("wrong horse battery", "second.db");
  const login = await runCli(["login", ...wrong.args], { env: wrong.env });
  assert.equal(login.code, 1);
  assert.equal(login.stderr, "parley: wrong username or password\n");

  const again = await runCli(["register", ...account("correct horse battery", "third.db").args], {
    env: right.env,
  });
  assert.equal(again.code, 1);
  assert.equal(again.stderr, "parley: that username is already registered\n");
});

test("a port in use is one line, exit 1, for the server and for the voice gateway", async (t) => {
  const home = await tempHome();
  t.after(() => home.remove());
  const { port } = await startServer(t, home.dir);
  const server = await runCli(["server", "--port", String(port), "--db", join(home.dir, "other.db")]);
  assert.equal(server.code, 1);
  assert.equal(server.stderr, `parley: port ${port} is in use\n`);
  const gateway = await runCli(["voice-gateway", "--port", String(port)]);
  assert.equal(gateway.code, 1);
  assert.equal(gateway.stderr, `parley: port ${port} is in use\n`);
});
