import assert from "node:assert/strict";
import { test } from "node:test";
import { loadSuite, MlsGroup, ParleyMlsError, PublicGroupView } from "../src/index.js";
import { testClient } from "./members.js";
import { MUTATIONS, mutate, prng } from "./mutate.js";

const CASES = 300;

test(`public view: ${CASES} mutations each of a GroupInfo, a commit and the next GroupInfo fail typed`, async () => {
  const suite = await loadSuite(1);
  const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((n) => testClient(suite, n)));
  assert.ok(alice && bob && carol);
  let a = await MlsGroup.create(suite, await alice.keyPackage());
  a = (await a.commit({ add: [(await bob.keyPackage()).message, (await carol.keyPackage()).message] })).group;
  const groupInfo = await a.groupInfo();
  const view = await PublicGroupView.fromGroupInfo(groupInfo);
  const remove = await a.commit({ remove: [2], publicMessage: true });
  const nextInfo = await remove.group.groupInfo();
  const change = await view.checkCommit(remove.commit);
  await view.checkNextGroupInfo(nextInfo, change);

  const random = prng(0xc0ffee);
  const untyped: string[] = [];
  const accepted: string[] = [];
  const attempt = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
      return true;
    } catch (err) {
      if (!(err instanceof ParleyMlsError)) untyped.push(`${what}: ${String(err).slice(0, 300)}`);
      return false;
    }
  };
  for (let i = 0; i < CASES; i++) {
    const kind = MUTATIONS[i % MUTATIONS.length] ?? "bit-flip";
    const info = mutate(groupInfo, kind, random);
    if (await attempt("GroupInfo", () => PublicGroupView.fromGroupInfo(info)))
      accepted.push(`GroupInfo ${i}`);
    const next = mutate(nextInfo, kind, random);
    if (await attempt("next GroupInfo", () => view.checkNextGroupInfo(next, change))) {
      accepted.push(`next GroupInfo ${i}`);
    }
    const commit = mutate(remove.commit, kind, random);
    await attempt("commit", async () => {
      // Only the confirmation and membership tags (1 + 32 bytes each, at the end) are outside the signature;
      // checking them takes the epoch's secrets. A bad confirmation tag is caught against the next GroupInfo.
      const mutated = await view.checkCommit(commit);
      const tags = commit.length - 66;
      assert.deepEqual(commit.subarray(0, tags), remove.commit.subarray(0, tags));
      assert.deepEqual(mutated.removed, change.removed);
      if (!Buffer.from(commit.subarray(tags, tags + 33)).equals(remove.commit.subarray(tags, tags + 33))) {
        await assert.rejects(view.checkNextGroupInfo(nextInfo, mutated), ParleyMlsError);
      }
    });
  }
  assert.deepEqual(untyped, [], "every refusal is a ParleyMlsError");
  assert.deepEqual(accepted, [], "no mutated GroupInfo is accepted");
});
