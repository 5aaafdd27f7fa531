import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli, startChat, TEST_PASSWORD, tempHome } from "./support/cli.js";
import { twoInAConversation } from "./support/conversation.js";
import { startServer, type TestServer } from "./support/server.js";

/** What `parley chat` says about devices, renames and removals, from each side (issue 10). */

describe("parley chat notices", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it("a new login, one's own and a contact's new device, a rename and a removal read naturally", async (t) => {
    const home = await tempHome();
    t.after(() => home.remove());
    let [jo, kim] = await twoInAConversation(server.url, home.env, ["jo", "kim"], "friends");
    t.after(() => {
      jo.kill("SIGKILL");
      kim.kill("SIGKILL");
    });
    await jo.waitFor(/\* you added kim\n/);

    // kim logs in on a phone; kim's chat learns of it on its next start.
    const login = await runCli(
      ["login", "--server", server.url, "--username", "kim", "--store", join(home.dir, "kim-phone.db")],
      { env: { ...home.env, PARLEY_PASSWORD: TEST_PASSWORD } },
    );
    assert.equal(login.code, 0, login.stderr);
    const phone = login.stdout.match(/device ([0-9a-f]{12})/)?.[1] ?? "";
    const code = login.stdout.match(/verification code: ([\d ]+)\n/)?.[1] ?? "";
    await kim.quit();
    kim = startChat("kim", home.env);
    await kim.waitFor(
      new RegExp(
        `\\* a new device logged in to your account: ${phone} \\(code ${code}\\) — if this was not you, run /devices revoke ${phone}\\n`,
      ),
    );

    kim.write("/devices add\n");
    await kim.waitFor(new RegExp(`\\* your device ${phone} was added\\n`));
    await kim.waitFor(/\* added your devices to 1 conversation\(s\)/);
    await jo.waitFor(new RegExp(`\\* kim added a device — verify: ${code}\\n`));

    jo.write("/rename best friends\n");
    await jo.waitFor(/\* you renamed the conversation to "best friends"\n/);
    await kim.waitFor(/\* jo renamed the conversation to "best friends"\n/);

    jo.write("/remove kim\n");
    await jo.waitFor(/\* you removed kim\n/);
    await kim.waitFor(/\* you were removed from "best friends"\n/);
    assert.doesNotMatch(`${jo.output}${kim.output}`, /kim added kim|jo added jo/);
    await Promise.all([jo.quit(), kim.quit()]);
  });
});
