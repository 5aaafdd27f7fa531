import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { registerUser, runCli, startChat, TEST_PASSWORD, tempHome } from "./support/cli.js";
import { startServer, type TestServer } from "./support/server.js";

/** logout, password and devices, and every command's answer to bad arguments (issue 10). */

describe("parley logout, password, devices", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it("help lists the new commands; bad arguments get one line and the command's usage, exit 2", async () => {
    const help = await runCli(["help"]);
    for (const command of ["logout", "password", "devices"])
      assert.match(help.stdout, new RegExp(`\\n  parley ${command} `));
    const cases: [string[], RegExp][] = [
      [["logout", "--nope"], /^parley: unknown option --nope\nusage: parley logout /],
      [["password", "extra"], /^parley: unexpected argument "extra"\nusage: parley password /],
      [["devices", "frob"], /^parley: unknown devices command "frob"\nusage: parley devices /],
      [["devices", "revoke"], /^parley: which device\? .*\nusage: parley devices /],
      [["chat", "--server"], /^parley: --server needs a value\nusage: parley chat /],
      [
        ["login", "--server", server.url],
        /^parley: --server URL and --username NAME are required\nusage: parley login /,
      ],
      [
        ["register", "--server", "ftp://x", "--username", "a"],
        /^parley: the server URL must start .*\nusage: parley register /,
      ],
    ];
    for (const [args, expected] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, expected);
      assert.equal(result.stderr.split("\n").length, 3, "two lines");
    }
  });

  it("devices lists and revokes by id prefix; password changes it; logout keeps the device for login", async (t) => {
    const home = await tempHome();
    t.after(() => home.remove());
    await registerUser(server.url, "hal", home.env);
    const env = { ...home.env, PARLEY_PASSWORD: TEST_PASSWORD };
    const other = await runCli(
      ["login", "--server", server.url, "--username", "hal", "--store", join(home.dir, "phone.db")],
      { env },
    );
    assert.equal(other.code, 0, other.stderr);
    const phone = other.stdout.match(/device ([0-9a-f]{12})/)?.[1] ?? "";

    const listed = await runCli(["devices"], { env: home.env });
    const lines = listed.stdout.trim().split("\n");
    assert.equal(lines.length, 2);
    assert.match(
      lines[0] ?? "",
      /^[0-9a-f]{12} {2}this device {2}since \d{4}-\d\d-\d\d \d\d:\d\d {2}code (\d{5} ){5}\d{5}$/,
    );
    assert.match(lines[1] ?? "", new RegExp(`^${phone} {15}since `));

    const revoked = await runCli(["devices", "revoke", phone.slice(0, 6)], { env: home.env });
    assert.equal(revoked.stdout, `revoked ${phone}; removed from 0 conversation(s)\n`);
    assert.match((await runCli(["devices"], { env: home.env })).stdout, new RegExp(`${phone} {2}revoked `));
    const self = (await runCli(["devices"], { env: home.env })).stdout.slice(0, 12);
    const refused = await runCli(["devices", "revoke", self], { env: home.env });
    assert.equal(refused.stderr, "parley: that is this device: revoke it from another one, or log out\n");

    const changed = await runCli(["password"], {
      env: home.env,
      input: `${TEST_PASSWORD}\nan even better one\n`,
    });
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /^password changed/);

    const out = await runCli(["logout", "--username", "hal"], { env: home.env });
    assert.equal(out.stdout, "logged out hal; the device stays on this machine for parley login\n");
    const chat = await runCli(["chat"], { env: home.env });
    assert.equal(chat.code, 1);
    assert.equal(
      chat.stderr,
      `parley: hal is logged out on this device: parley login --server ${server.url} --username hal\n`,
    );
    const back = await runCli(["login", "--server", server.url, "--username", "hal"], {
      env: { ...home.env, PARLEY_PASSWORD: "an even better one" },
    });
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.stdout.match(/device ([0-9a-f]{12})/)?.[1], self, "the same device, logged in again");
  });

  it("in chat: /help lists every command, each answers bad arguments with its usage, //text sends /text", async (t) => {
    const home = await tempHome();
    t.after(() => home.remove());
    await registerUser(server.url, "ivy", home.env);
    const chat = startChat("ivy", home.env);
    t.after(() => chat.kill("SIGKILL"));
    await chat.waitFor(/\* connected/);
    chat.write("/help\n");
    await chat.waitFor(/\/text sends \/text/);
    const commands = [
      "/help",
      "/list",
      "/new",
      "/open",
      "/history",
      "/invite",
      "/remove",
      "/rename",
      "/members",
    ];
    for (const c of [...commands, "/leave", "/devices", "/me", "/logout", "/quit"])
      assert.match(chat.stdout, new RegExp(`\\n\\d\\d:\\d\\d {3}${c.replace("/", "\\/")}[ \\]]`), c);

    const bad: [string, string][] = [
      ["/new", "/new NAME [USER...]"],
      ["/open x", "/open N"],
      ["/history 0", "/history [N]"],
      ["/invite", "/invite USER..."],
      ["/remove no!", "/remove USER..."],
      ["/rename", "/rename NAME"],
      ["/members x", "/members"],
      ["/devices frob", "/devices [add | revoke ID-PREFIX]"],
      ["/devices revoke zz", "/devices [add | revoke ID-PREFIX]"],
      ["/me now", "/me"],
      ["/quit later", "/quit"],
    ];
    for (const [line, usage] of bad) {
      const mark = chat.output.length;
      chat.write(`${line}\n`);
      await chat.waitFor(
        new RegExp(`\\d\\d:\\d\\d ! .*\\n\\d\\d:\\d\\d usage: ${usage.replace(/[[\]./|]/g, "\\$&")}\\n`),
        60_000,
        mark,
      );
    }
    chat.write("/frob\n");
    await chat.waitFor(/! unknown command \/frob: \/help lists them/);
    chat.write("hello\n");
    await chat.waitFor(/! no conversation open: \/list, \/open N or \/new NAME/);

    chat.write("/new notes\n");
    await chat.waitFor(/\* you joined "notes"/);
    chat.write("//slash at the start\n");
    await chat.waitFor(/\d\d:\d\d ivy: \/slash at the start {2}\(sent\)/);
    chat.write("/devices\n");
    await chat.waitFor(/[0-9a-f]{12} {2}this device {2}since /);
    const quit = await chat.quit();
    assert.equal(quit.code, 0);
    assert.equal(quit.stderr, "");
  });
});
