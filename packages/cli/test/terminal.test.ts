import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PARLEY_BIN, registerUser, startChat, tempHome } from "./support/cli.js";
import { startServer, type TestServer } from "./support/server.js";
import { haveTmux, lastLine, TmuxSession } from "./support/tmux.js";

/**
 * `parley chat` and `parley register` in a real terminal (tmux): what the user sees. An incoming line must not
 * land in the middle of half-typed input (the prompt is redrawn below it, with the input kept), every line has
 * a time, one's own message is echoed with its state, and a password is never shown.
 */

const skip = haveTmux() ? false : "tmux is not installed";

describe("parley in a terminal", { skip }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it("chat: an incoming line goes above the half-typed input; stamps; own message echoed with its state", async (t) => {
    const home = await tempHome();
    t.after(() => home.remove());
    await registerUser(server.url, "alice", home.env);
    await registerUser(server.url, "bob", home.env);
    const alice = await TmuxSession.start(
      [process.execPath, PARLEY_BIN, "chat", "--username", "alice"],
      home.env,
    );
    t.after(() => alice.kill());
    await alice.waitFor((s) => s.includes("* connected"), "alice connected");

    const bob = startChat("bob", home.env);
    t.after(() => bob.kill("SIGKILL"));
    await bob.waitFor(/\* connected/);
    bob.write("/new friends alice\n");
    await alice.waitFor((s) => lastLine(s) === "friends>", "the friends> prompt");

    await alice.type("hello bo");
    await alice.waitFor((s) => lastLine(s) === "friends> hello bo", "the half-typed input");
    bob.write("are you there?\n");
    const redrawn = await alice.waitFor((s) => /^\d\d:\d\d bob: are you there\?$/m.test(s), "bob's line");
    assert.equal(lastLine(redrawn), "friends> hello bo", "the prompt is redrawn below, the input kept");
    assert.equal(
      redrawn.split("\n").filter((l) => l.startsWith("friends>")).length,
      1,
      "no stale prompt left",
    );
    t.diagnostic(`alice's terminal with bob's line in:\n${redrawn}`);

    await alice.type("b");
    await alice.press("Enter");
    const echoed = await alice.waitFor(
      (s) => /^\d\d:\d\d alice: hello bob {2}\(sent\)$/m.test(s),
      "the echo",
    );
    assert.equal(lastLine(echoed), "friends>");
    assert.doesNotMatch(echoed, /^friends> hello bob$/m, "the typed line gave way to its echo");
    for (const line of echoed.split("\n").filter((l) => l !== "" && !l.startsWith("friends>")))
      assert.match(line, /^\d\d:\d\d /, `a time on every line: ${line}`);
    t.diagnostic(`alice's terminal:\n${echoed}`);
    await bob.waitFor(/alice: hello bob\n/);

    await alice.press("C-d");
    await bob.quit();
  });

  it("register: the prompt says it waits, nothing typed is shown, Backspace edits", async (t) => {
    const home = await tempHome();
    t.after(() => home.remove());
    const secret = "quiet horse staple";
    const term = await TmuxSession.start(
      [process.execPath, PARLEY_BIN, "register", "--server", server.url, "--username", "carol"],
      home.env,
    );
    t.after(() => term.kill());
    await term.waitFor((s) => lastLine(s) === "password (not shown):", "the prompt");
    await term.type(`${secret}xy`);
    await term.press("BSpace", "BSpace", "Enter");
    await term.waitFor((s) => lastLine(s) === "password again (not shown):", "the confirmation prompt");
    await term.type(secret);
    await term.press("Enter");
    const done = await term.waitFor((s) => /your verification code: /.test(s), "registered");
    assert.doesNotMatch(done, /quiet|horse|staple/, "the password never appears");
    assert.match(done, /^registered carol on /m);
    t.diagnostic(`the terminal:\n${done}`);
  });
});
