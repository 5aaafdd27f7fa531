import assert from "node:assert/strict";
import { test } from "node:test";
import { ParleyMlsError } from "../../src/errors.js";
import {
  commonAncestor,
  copath,
  directPath,
  isLeaf,
  leafToNode,
  left,
  level,
  nodeToLeaf,
  nodeWidth,
  parent,
  right,
  root,
  sibling,
} from "../../src/rfc9420/tree/math.js";
import { family } from "../vectors/files.js";

interface TreeMath {
  n_leaves: number;
  n_nodes: number;
  root: number;
  left: (number | null)[];
  right: (number | null)[];
  parent: (number | null)[];
  sibling: (number | null)[];
}

const usage = (err: unknown) => err instanceof ParleyMlsError && err.code === "usage";

/** The function's answer, or null where the RFC says the node has none (a leaf's children, the root's parent). */
function orNull(f: () => number): number | null {
  try {
    return f();
  } catch (err) {
    if (usage(err)) return null;
    throw err;
  }
}

const vectors = family<TreeMath>("tree-math", "tree-math.json", (v) => {
  const n = v.n_leaves;
  assert.equal(nodeWidth(n), v.n_nodes, "node width");
  assert.equal(root(n), v.root, "root");
  for (let x = 0; x < v.n_nodes; x++) {
    assert.equal(
      orNull(() => left(x)),
      v.left[x],
      `left(${x})`,
    );
    assert.equal(
      orNull(() => right(x, n)),
      v.right[x],
      `right(${x})`,
    );
    assert.equal(
      orNull(() => parent(x, n)),
      v.parent[x],
      `parent(${x})`,
    );
    assert.equal(
      orNull(() => sibling(x, n)),
      v.sibling[x],
      `sibling(${x})`,
    );
  }
});

test(vectors.title, vectors.run);

/** Every property below, for every node of every tree of 1..1000 leaves. */
test("tree math properties over 1..1000 leaves", () => {
  for (let n = 1; n <= 1000; n++) {
    const width = nodeWidth(n);
    const r = root(n);
    assert.ok(r < width && 2 ** level(r) >= n, `${n} leaves: root ${r} spans every leaf`);
    for (let x = 0; x < width; x++) {
      const where = `${n} leaves, node ${x}`;
      if (!isLeaf(x)) {
        assert.equal(parent(left(x), n), x, `${where}: parent(left(x))`);
        assert.equal(parent(right(x, n), n), x, `${where}: parent(right(x))`);
        assert.ok(left(x) < x && x < right(x, n), `${where}: children order`);
      }
      const path = directPath(x, n);
      const co = copath(x, n);
      assert.equal(co.length, path.length, `${where}: copath length`);
      if (x === r) {
        assert.deepEqual(path, [], `${where}: root has an empty direct path`);
        continue;
      }
      assert.equal(path.at(-1), r, `${where}: direct path ends at the root`);
      assert.equal(sibling(sibling(x, n), n), x, `${where}: sibling is an involution`);
      assert.equal(parent(sibling(x, n), n), parent(x, n), `${where}: siblings share a parent`);
      for (let i = 1; i < path.length; i++)
        assert.ok(level(path[i] as number) > level(path[i - 1] as number), `${where}: levels rise`);
      assert.equal(co[0], sibling(x, n), `${where}: copath starts at the sibling`);
    }
  }
});

test("common ancestor is the lowest node on both direct paths", () => {
  for (const n of [1, 2, 3, 5, 8, 13, 64, 100, 255]) {
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const [x, y] = [leafToNode(a), leafToNode(b)];
        const onBoth = [x, ...directPath(x, n)].filter((p) => p === y || directPath(y, n).includes(p));
        assert.equal(commonAncestor(x, y, n), onBoth[0], `${n} leaves: leaves ${a} and ${b}`);
      }
    }
  }
  assert.equal(commonAncestor(3, 1, 4), 3, "an ancestor is its own descendant's common ancestor");
});

test("leaf conversion and refused inputs", () => {
  assert.equal(nodeToLeaf(leafToNode(7)), 7);
  assert.throws(() => nodeToLeaf(3), usage);
  assert.throws(() => left(4), usage);
  assert.throws(() => parent(7, 8), usage);
  assert.throws(() => parent(15, 8), usage);
  assert.throws(() => right(-1, 8), usage);
  assert.throws(() => root(0), usage);
  assert.throws(() => directPath(1.5, 8), usage);
  assert.equal(root(2 ** 31), 2 ** 31 - 1, "uint32 node indices stay exact");
  assert.equal(parent(2 ** 32 - 2, 2 ** 31), 2 ** 32 - 3);
});
