import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startChat, tempHome } from "./support/cli.js";
import { twoInAConversation } from "./support/conversation.js";
import { startServer, type TestServer } from "./support/server.js";

/** Issue 10: `parley chat` works without the server, and never sends a message late without saying so. */

const STAMP = "\\d\\d:\\d\\d";

describe("parley chat and an unreachable server", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it("starts while the server is down and shows the conversation's history, then connects", async (t) => {
    const home = await tempHome();
    t.after(() => home.remove());
    const [ada, bo] = await twoInAConversation(server.url, home.env, ["ada", "bo"], "friends");
    bo.write("hello ada\n");
    await ada.waitFor(/bo: hello ada/);
    ada.write("hi bo\n");
    await bo.waitFor(/ada: hi bo/);
    await Promise.all([ada.quit(), bo.quit()]);

    await server.stop();
    const offline = startChat("ada", home.env);
    t.after(() => offline.kill("SIGKILL"));
    await offline.waitFor(/\* reconnecting…/);
    const history = new RegExp(
      `${STAMP} \\* "friends": recent messages\\n${STAMP} bo: hello ada\\n${STAMP} ada: hi bo\\n`,
    );
    assert.match(offline.stdout, history);
    await server.restart();
    await offline.waitFor(/\* connected/);
    assert.equal((await offline.quit()).code, 0);
  });

  it("a message sent while the server is down is shown pending, then sent in order when it is back", async (t) => {
    const home = await tempHome();
    t.after(() => home.remove());
    const [cy, di] = await twoInAConversation(server.url, home.env, ["cy", "di"], "pair");
    t.after(() => {
      cy.kill("SIGKILL");
      di.kill("SIGKILL");
    });
    cy.write("m0\n");
    await cy.waitFor(/cy: m0 {2}\(sent\)/);

    await server.stop();
    await Promise.all([cy.waitFor(/\* reconnecting…/), di.waitFor(/\* reconnecting…/)]);
    const mark = cy.output.length;
    cy.write("m1\n");
    await cy.waitFor(/cy: m1 {2}\(pending: sent when the server is back\)/, 60_000, mark);
    cy.write("m2\n");
    await cy.waitFor(/cy: m2 {2}\(pending: sent when the server is back\)/, 60_000, mark);

    const back = cy.output.length;
    await server.restart();
    await cy.waitFor(
      new RegExp(`${STAMP} cy: m1 {2}\\(sent\\)\\n${STAMP} cy: m2 {2}\\(sent\\)\\n`),
      60_000,
      back,
    );
    await cy.waitFor(/\* connected/, 60_000, back);
    // In order, whatever else (a reconnect) is printed between them.
    await di.waitFor(
      new RegExp(`${STAMP} cy: m0\\n(.*\\n)*${STAMP} cy: m1\\n(.*\\n)*${STAMP} cy: m2\\n`),
      60_000,
    );
    assert.doesNotMatch(di.output, /^\d\d:\d\d ! /m, "an outage is not an error");
    await Promise.all([cy.quit(), di.quit()]);
  });

  it("a pending message that can no longer go out (removed meanwhile) is shown failed, not sent", async (t) => {
    const home = await tempHome();
    t.after(() => home.remove());
    const [ed, flo] = await twoInAConversation(server.url, home.env, ["ed", "flo"], "club");
    t.after(() => flo.kill("SIGKILL"));
    await server.stop();
    await flo.waitFor(/\* reconnecting…/);
    const down = flo.output.length;
    ed.write("too late\n");
    await ed.waitFor(/ed: too late {2}\(pending: sent when the server is back\)/);
    await ed.quit();

    await server.restart();
    await flo.waitFor(/\* connected/, 60_000, down);
    flo.write("/remove ed\n");
    await flo.waitFor(/\* you removed ed/);

    const again = startChat("ed", home.env);
    t.after(() => again.kill("SIGKILL"));
    await again.waitFor(/ed: too late {2}\(pending: sent when the server is back\)/); // still queued, shown
    await again.waitFor(/\* you were removed from "club"\n/);
    await again.waitFor(
      /\[club\] ed: too late {2}\(failed: this device is no longer a member of the conversation\)\n/,
    );
    await again.quit();
    assert.doesNotMatch(flo.output, /too late/, "never delivered");
    await flo.quit();
  });
});
