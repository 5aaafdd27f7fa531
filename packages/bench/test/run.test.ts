import assert from "node:assert/strict";
import { test } from "node:test";
import { main } from "../src/run.js";

test("a command line that is not one prints the usage and fails", async (t) => {
  const written: string[] = [];
  t.mock.method(process.stderr, "write", (text: string) => written.push(text));
  for (const argv of [
    [],
    ["--quick"],
    ["no-such-bench"],
    ["mls", "--json"],
    ["mls", "--bogus"],
    ["mls", "dave"],
  ])
    assert.equal(await main(argv), 2, argv.join(" "));
  assert.match(
    written.join(""),
    /usage: npm run bench -- <name> \[--quick\] \[--json FILE\] \[--html FILE\]/,
  );
});
