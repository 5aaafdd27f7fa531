import assert from "node:assert/strict";
import { test } from "node:test";
import { loadSuite, MlsGroup } from "@parley/mls";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const bytes = (text: string) => new Uint8Array(Buffer.from(text, "base64"));
const identity = (s: string) => new TextEncoder().encode(s);

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];

for (const backend of backends) {
  test(`external join by a second device of a member's account (${backend})`, async () => {
    const server = await startServer(backend);
    const u = server.url;
    try {
      const suite = await loadSuite(1);
      const laptop = await loginDevice(u, suite, "alice");
      const phone = await loginDevice(u, suite, "alice");
      const eve = await loginDevice(u, suite, "eve");
      let a = await MlsGroup.create(suite, await laptop.keyPackage());
      const gid = Buffer.from(a.groupId).toString("base64url");
      await call(u, "POST", "/v1/groups", {
        token: laptop.token,
        body: { groupId: gid, groupInfo: b64(await a.groupInfo()) },
      });
      const post = (token: string, body: object) =>
        call(u, "POST", `/v1/groups/${gid}/commits`, { token, body });

      // Eve's account has no member device: the group does not exist for her, whatever she sends.
      assert.equal((await call(u, "GET", `/v1/groups/${gid}/group-info`, { token: eve.token })).status, 404);
      const info = await call(u, "GET", `/v1/groups/${gid}/group-info`, { token: phone.token });
      assert.equal(info.status, 200);
      const groupInfo = bytes(String(info.body.groupInfo));
      const eveJoin = await MlsGroup.joinExternal(suite, groupInfo, await eve.keyPackage());
      assert.equal(
        (await post(eve.token, { commit: b64(eveJoin.commit), added: [eve.deviceId] })).status,
        404,
      );

      // The phone joins: it must declare exactly itself, and no Welcomes.
      const join = await MlsGroup.joinExternal(suite, groupInfo, await phone.keyPackage());
      const wrong = await post(phone.token, { commit: b64(join.commit), added: [laptop.deviceId] });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error, "membership_mismatch");
      assert.equal((await post(phone.token, { commit: b64(join.commit) })).status, 400, "undeclared join");
      const accepted = await post(phone.token, {
        commit: b64(join.commit),
        added: [phone.deviceId],
        groupInfo: b64(await join.group.groupInfo()),
      });
      assert.deepEqual(accepted.body, { seq: 1, epoch: 1 });

      // The laptop processes the external commit from the log; both sides agree and talk.
      const log = await call(u, "GET", `/v1/groups/${gid}/messages`, { token: laptop.token });
      const [entry] = log.body.messages as { message: string }[];
      a = (await a.process(bytes(String(entry?.message)))).group;
      let p = join.group;
      assert.deepEqual(a.epochAuthenticator, p.epochAuthenticator);
      const hello = await p.encrypt(identity("hello from the phone"));
      p = hello.group;
      const sent = await fetch(`${u}/v1/groups/${gid}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${phone.token}`, "content-type": "message/mls" },
        body: hello.message,
      });
      assert.equal(sent.status, 201);
      const read = await a.process(hello.message);
      assert.equal(read.kind, "application");
    } finally {
      await server.close();
    }
  });
}
