import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HttpTransport } from "@parley/client";
import { registerUser, runCli, startChat, TEST_PASSWORD, tempHome } from "./support/cli.js";
import { startServer, type TestServer } from "./support/server.js";

/** Issue 10: profiles per account, private files, one process per store, and a register that fails cleanly. */

describe("parley register and profiles", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  const host = () => new URL(server.url).host;
  /** Whether the server would still let `username` be registered (so no account was created). */
  const free = async (username: string) => {
    await new HttpTransport(server.url).register(username, TEST_PASSWORD);
    return true;
  };

  it("two users on one machine get their own profile, private (0700 directories, 0600 store)", async (t) => {
    const home = await tempHome();
    t.after(() => home.remove());
    await registerUser(server.url, "ann", home.env);
    await registerUser(server.url, "ben", home.env);
    const mode = (path: string) => statSync(path).mode & 0o777;
    for (const user of ["ann", "ben"]) {
      const dir = join(home.dir, host(), user);
      assert.equal(mode(dir), 0o700, dir);
      assert.equal(mode(join(dir, "device.db")), 0o600);
    }
    assert.equal(mode(join(home.dir, host())), 0o700);

    // Without --username there is no telling which: one line naming both.
    const ambiguous = await runCli(["chat"], { env: home.env });
    assert.equal(ambiguous.code, 1);
    assert.equal(
      ambiguous.stderr,
      `parley: several profiles (ann@${host()}, ben@${host()}): choose one with --username NAME (and --server URL)\n`,
    );
  });

  it("a second process on the same store refuses with one clear line", async (t) => {
    const home = await tempHome();
    t.after(() => home.remove());
    await registerUser(server.url, "cid", home.env);
    const chat = startChat("cid", home.env);
    t.after(() => chat.kill("SIGKILL"));
    await chat.waitFor(/\/help/); // it holds the store from its first line on
    const store = join(home.dir, host(), "cid", "device.db");
    for (const args of [["chat", "--username", "cid"], ["devices"], ["logout"]]) {
      const second = await runCli(args, { env: home.env });
      assert.equal(second.code, 1, args.join(" "));
      assert.equal(second.stderr, `parley: another process is using the store at ${store}\n`);
    }
    assert.equal((await chat.quit()).code, 0);
  });

  it("a store holding another account: refused before the server creates anything", async (t) => {
    const home = await tempHome();
    t.after(() => home.remove());
    await registerUser(server.url, "dee", home.env);
    const store = join(home.dir, host(), "dee", "device.db");
    const result = await runCli(["register", "--server", server.url, "--username", "eve", "--store", store], {
      env: { ...home.env, PARLEY_PASSWORD: TEST_PASSWORD },
    });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `parley: ${store} already holds dee's device on ${server.url}: use parley login, or --store FILE for a new store\n`,
    );
    assert.ok(await free("eve"));
  });

  it("a bad username, a short password or a taken name leave no account and no profile", async (t) => {
    const home = await tempHome();
    t.after(() => home.remove());
    const register = (username: string, input: string) =>
      runCli(["register", "--server", server.url, "--username", username], { env: home.env, input });

    const badName = await register("no spaces", `${TEST_PASSWORD}\n`);
    assert.equal(badName.code, 2);
    assert.match(
      badName.stderr,
      /^parley: a username is .*\nusage: parley register --server URL --username NAME/,
    );

    const short = await register("fay", "short\n"); // the password from stdin, as a script would give it
    assert.equal(short.code, 1);
    assert.equal(short.stderr, "parley: a password has 8 to 1024 characters\n");
    assert.ok(await free("fay"));

    await new HttpTransport(server.url).register("gus", TEST_PASSWORD); // taken on the server
    const taken = await register("gus", `${TEST_PASSWORD}\n`);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /^parley: that username is already registered\n$/);

    const profiles = existsSync(join(home.dir, host()))
      ? readdirSync(join(home.dir, host())).filter((u) => existsSync(join(home.dir, host(), u, "device.db")))
      : [];
    assert.deepEqual(profiles, [], "no store left behind");
    const noProfile = await runCli(["chat"], { env: home.env });
    assert.match(noProfile.stderr, /^parley: no account on this machine yet/);
  });
});
