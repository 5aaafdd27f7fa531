import { ParleyMlsError } from "../../errors.js";

/**
 * RFC 9420 Appendix C: the ratchet tree as an array, leaves at even indices, parents at odd ones. Trees of
 * any leaf count are left-balanced (the draft rule that RFC 9420's power-of-two trees are a case of): steps
 * that would leave the array are skipped, so `parent` and `right` stay inside the tree. Arithmetic rather
 * than 32-bit bitwise operators keeps indices exact for every uint32 node index.
 */

/** Exponent of the largest power of two not above x (0 < x < 2^32). */
export function log2(x: number): number {
  return 31 - Math.clz32(x);
}

/** Height above the leaves: the number of trailing one bits of the index (x < 2^32). */
export function level(x: number): number {
  const zeros = ~x; // ToInt32 keeps the low 32 bits, so this is exact for every uint32
  return zeros === 0 ? 32 : 31 - Math.clz32(zeros & -zeros);
}

/** 2^k for k <= 32 without a floating-point power. */
const POW2: readonly number[] = Array.from({ length: 34 }, (_, k) => 2 ** k);
const pow2 = (k: number): number => POW2[k] as number;

/** Number of array slots of a tree with `leaves` leaves. */
export function nodeWidth(leaves: number): number {
  return leaves === 0 ? 0 : 2 * (leaves - 1) + 1;
}

export function root(leaves: number): number {
  checkLeaves(leaves);
  return pow2(log2(nodeWidth(leaves))) - 1;
}

export const leafToNode = (leaf: number): number => 2 * leaf;
export const isLeaf = (x: number): boolean => x % 2 === 0;

export function nodeToLeaf(x: number): number {
  if (!isLeaf(x)) throw new ParleyMlsError("usage", `node ${x} is not a leaf`);
  return x / 2;
}

export function left(x: number): number {
  const k = level(x);
  if (k === 0) throw new ParleyMlsError("usage", `leaf node ${x} has no children`);
  return x - pow2(k - 1);
}

export function right(x: number, leaves: number): number {
  checkNode(x, leaves);
  const k = level(x);
  if (k === 0) throw new ParleyMlsError("usage", `leaf node ${x} has no children`);
  let r = x + pow2(k - 1);
  while (r >= nodeWidth(leaves)) r = left(r);
  return r;
}

/** The parent in the infinite full tree. */
function parentStep(x: number): number {
  const k = level(x);
  const b = Math.floor(x / pow2(k + 1)) % 2;
  return b === 1 ? x - pow2(k) : x + pow2(k);
}

export function parent(x: number, leaves: number): number {
  checkNode(x, leaves);
  if (x === root(leaves)) throw new ParleyMlsError("usage", `root node ${x} has no parent`);
  return parentWithin(x, nodeWidth(leaves));
}

/** The nearest full-tree ancestor inside an array of `width` slots. */
function parentWithin(x: number, width: number): number {
  let p = parentStep(x);
  while (p >= width) p = parentStep(p);
  return p;
}

export function sibling(x: number, leaves: number): number {
  const p = parent(x, leaves);
  return x < p ? right(p, leaves) : left(p);
}

/** The ancestors of x from its parent up to the root; empty for the root. */
export function directPath(x: number, leaves: number): number[] {
  checkNode(x, leaves);
  const [r, width] = [root(leaves), nodeWidth(leaves)];
  const path: number[] = [];
  for (let n = x; n !== r; ) {
    n = parentWithin(n, width);
    path.push(n);
  }
  return path;
}

/** The siblings of x and of each ancestor below the root. */
export function copath(x: number, leaves: number): number[] {
  const path = directPath(x, leaves);
  if (path.length === 0) return [];
  return [x, ...path.slice(0, -1)].map((n) => sibling(n, leaves));
}

/**
 * The lowest node whose subtree holds both x and y (either one itself if it is the other's ancestor). In the
 * full tree that node lies between x and y, so it is inside the array of any tree holding both.
 */
export function commonAncestor(x: number, y: number, leaves: number): number {
  checkNode(x, leaves);
  checkNode(y, leaves);
  let [a, b] = [x, y];
  // Climb the lower of the two until one subtree holds the other: that first meeting is the lowest one.
  while (!within(a, b) && !within(b, a)) {
    if (level(a) <= level(b)) a = parentStep(a);
    else b = parentStep(b);
  }
  return within(a, b) ? b : a;
}

/** Whether node x is in the (full-tree) subtree under node s. */
function within(x: number, s: number): boolean {
  const half = pow2(level(s)) - 1;
  return x >= s - half && x <= s + half;
}

function checkLeaves(leaves: number): void {
  if (!Number.isInteger(leaves) || leaves < 1 || leaves > 2 ** 31)
    throw new ParleyMlsError("usage", `a tree needs 1..2^31 leaves, got ${leaves}`);
}

function checkNode(x: number, leaves: number): void {
  checkLeaves(leaves);
  if (!Number.isInteger(x) || x < 0 || x >= nodeWidth(leaves))
    throw new ParleyMlsError("usage", `node ${x} is outside a tree of ${leaves} leaves`);
}
