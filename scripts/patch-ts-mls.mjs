// Run by `npm install` (postinstall). ts-mls 1.6.4 checks a ratchet tree's unmerged_leaves more strictly than
// RFC 9420 §12.4.3.1: it wants every non-blank node on an unmerged leaf's direct path to carry the *same* list,
// where the RFC asks only that the nodes between the leaf and the parent that lists it include the leaf. So a
// joiner refuses valid trees — the official tree-validation vectors hold one per suite, and DAVE calls make
// them whenever a commit removes and adds at once. Until a ts-mls release fixes it, this rewrites that one
// check in the installed copy. Idempotent; fails loudly if the file is not the one this was written against.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FILE = fileURLToPath(import.meta.resolve("ts-mls/clientState.js"));

const STRICT = `                if (tree[nodeIndex]?.nodeType !== "leaf" && !dp.includes(toNodeIndex(i)))
                    return new ValidationError("Unmerged leaf did not represent a non-blank descendant leaf node");
                for (const parentIdx of dp) {
                    const dpNode = tree[parentIdx];
                    if (dpNode !== undefined) {
                        if (dpNode.nodeType !== "parent")
                            return new InternalError("Expected parent node");
                        if (!arraysEqual(dpNode.parent.unmergedLeaves, n.parent.unmergedLeaves))
                            return new ValidationError("non-blank intermediate node must list leaf node in its unmerged_leaves");
                    }
                }`;

const RFC = `                // Patched by Parley (scripts/patch-ts-mls.mjs): RFC 9420 §12.4.3.1.
                if (tree[nodeIndex]?.nodeType !== "leaf" || !dp.includes(toNodeIndex(i)))
                    return new ValidationError("Unmerged leaf did not represent a non-blank descendant leaf node");
                for (const parentIdx of dp.slice(0, dp.indexOf(toNodeIndex(i)))) {
                    const dpNode = tree[parentIdx];
                    if (dpNode !== undefined) {
                        if (dpNode.nodeType !== "parent")
                            return new InternalError("Expected parent node");
                        if (!dpNode.parent.unmergedLeaves.includes(unmergedLeaf))
                            return new ValidationError("non-blank intermediate node must list leaf node in its unmerged_leaves");
                    }
                }`;

const source = readFileSync(FILE, "utf8");
if (source.includes(RFC)) process.exit(0);
if (!source.includes(STRICT)) {
  console.error(`patch-ts-mls: ${FILE} is not the ts-mls 1.6.4 this patch expects; review the patch`);
  process.exit(1);
}
writeFileSync(FILE, source.replace(STRICT, RFC));
console.log("patch-ts-mls: unmerged_leaves check brought to RFC 9420 §12.4.3.1");
