import { ParleyMlsError } from "../../errors.js";
import type { LeafNode, Node, ParentNode, RatchetTree } from "../wire/index.js";
import { NodeType } from "../wire/index.js";
import { copath, directPath, isLeaf, leafToNode, left, nodeWidth, right } from "./math.js";
import { NodeMemo } from "./nodeMemo.js";

/**
 * RFC 9420 §7: the public ratchet tree. Immutable by convention: every operation returns a new tree that
 * shares the unchanged nodes. The leaf count is a power of two (§7.7: trees grow by doubling and truncate
 * by halving); the wire form omits the trailing blanks.
 */
export class PublicRatchetTree {
  private constructor(
    private readonly nodes: readonly (Node | undefined)[],
    /** Per-node tree hashes; treeHash.ts fills it, operations hand it on minus the changed paths. */
    readonly memo: NodeMemo,
  ) {}

  /** §12.4.3.3: a tree as received. Node types must match their positions and the last node be non-blank. */
  static fromWire(tree: RatchetTree): PublicRatchetTree {
    if (tree.length === 0 || tree.length % 2 === 0)
      throw invalid(`a ratchet tree has an odd number of nodes, got ${tree.length}`);
    if (tree[tree.length - 1] === undefined) throw invalid("a ratchet tree's last node must not be blank");
    tree.forEach((node, x) => {
      const want = isLeaf(x) ? NodeType.leaf : NodeType.parent;
      if (node && node.nodeType !== want) throw invalid(`node ${x} has the wrong node type`);
    });
    let leaves = 1;
    while (nodeWidth(leaves) < tree.length) leaves *= 2;
    const nodes = Array.from({ length: nodeWidth(leaves) }, (_, x) => tree[x]);
    return new PublicRatchetTree(nodes, NodeMemo.empty());
  }

  /** The wire form: the nodes in array order without trailing blanks. */
  toWire(): RatchetTree {
    let end = this.nodes.length;
    while (end > 0 && this.nodes[end - 1] === undefined) end--;
    return this.nodes.slice(0, end);
  }

  get leafCount(): number {
    return (this.nodes.length + 1) / 2;
  }

  get width(): number {
    return this.nodes.length;
  }

  node(x: number): Node | undefined {
    return this.nodes[x];
  }

  leaf(leafIndex: number): LeafNode | undefined {
    this.checkLeaf(leafIndex);
    const node = this.nodes[leafToNode(leafIndex)];
    return node?.nodeType === NodeType.leaf ? node.leafNode : undefined;
  }

  parentNode(x: number): ParentNode | undefined {
    const node = this.nodes[x];
    return node?.nodeType === NodeType.parent ? node.parentNode : undefined;
  }

  /** §4.1.1: the non-blank nodes that cover the subtree under x, with a parent's unmerged leaves. */
  resolution(x: number): number[] {
    const node = this.nodes[x];
    if (node?.nodeType === NodeType.leaf) return [x];
    if (node) return [x, ...node.parentNode.unmergedLeaves.map(leafToNode)];
    if (isLeaf(x)) return [];
    return [...this.resolution(left(x)), ...this.resolution(right(x, this.leafCount))];
  }

  /** §4.1.2: the direct path without the nodes whose copath child has an empty resolution. */
  filteredDirectPath(leafIndex: number): number[] {
    this.checkLeaf(leafIndex);
    const x = leafToNode(leafIndex);
    const siblings = copath(x, this.leafCount);
    return directPath(x, this.leafCount).filter((_, i) => this.resolution(siblings[i]!).length > 0);
  }

  leftmostBlankLeaf(): number | undefined {
    for (let leaf = 0; leaf < this.leafCount; leaf++) if (!this.nodes[leafToNode(leaf)]) return leaf;
    return undefined;
  }

  /**
   * §12.1.1 Add: the leftmost blank leaf, after doubling the tree if it has none; the new leaf becomes an
   * unmerged leaf of every non-blank parent above it.
   */
  add(leafNode: LeafNode): { tree: PublicRatchetTree; leafIndex: number } {
    let grown: PublicRatchetTree = this;
    let leafIndex = this.leftmostBlankLeaf();
    if (leafIndex === undefined) {
      leafIndex = this.leafCount;
      grown = this.resized(this.leafCount * 2);
    }
    const x = leafToNode(leafIndex);
    const changes = new Map<number, Node | undefined>([[x, { nodeType: NodeType.leaf, leafNode }]]);
    for (const p of directPath(x, grown.leafCount)) {
      const parentNode = grown.parentNode(p);
      if (!parentNode) continue;
      const unmergedLeaves = [...parentNode.unmergedLeaves, leafIndex];
      changes.set(p, { nodeType: NodeType.parent, parentNode: { ...parentNode, unmergedLeaves } });
    }
    return { tree: grown.with(changes), leafIndex };
  }

  /** §12.1.2 Update: the new leaf, and its direct path blanked. */
  update(leafIndex: number, leafNode: LeafNode): PublicRatchetTree {
    this.checkMember(leafIndex);
    return this.withPathBlanked(leafIndex, { nodeType: NodeType.leaf, leafNode });
  }

  /** §12.1.3 Remove: the leaf and its direct path blanked, then the tree halved while its right half is empty. */
  remove(leafIndex: number): PublicRatchetTree {
    this.checkMember(leafIndex);
    let tree = this.withPathBlanked(leafIndex, undefined);
    while (tree.leafCount > 1 && tree.rightHalfEmpty()) tree = tree.resized(tree.leafCount / 2);
    return tree;
  }

  /** A tree with these nodes replaced; the memo forgets them and their ancestors. */
  with(changes: ReadonlyMap<number, Node | undefined>): PublicRatchetTree {
    const nodes = this.nodes.slice();
    for (const [x, node] of changes) {
      if (!Number.isInteger(x) || x < 0 || x >= nodes.length)
        throw new ParleyMlsError("usage", `node ${x} is outside a tree of ${this.leafCount} leaves`);
      if (node && node.nodeType !== (isLeaf(x) ? NodeType.leaf : NodeType.parent))
        throw new ParleyMlsError("usage", `node ${x} cannot hold that node type`);
      nodes[x] = node;
    }
    return new PublicRatchetTree(nodes, this.memo.derive(this.leafCount, [...changes.keys()]));
  }

  private withPathBlanked(leafIndex: number, leaf: Node | undefined): PublicRatchetTree {
    const x = leafToNode(leafIndex);
    const changes = new Map<number, Node | undefined>([[x, leaf]]);
    for (const p of directPath(x, this.leafCount)) changes.set(p, undefined);
    return this.with(changes);
  }

  private rightHalfEmpty(): boolean {
    for (let leaf = this.leafCount / 2; leaf < this.leafCount; leaf++)
      if (this.nodes[leafToNode(leaf)]) return false;
    return true;
  }

  /** The same nodes in a tree of `leaves` leaves: blanks appended, or the (blank) right part dropped. */
  private resized(leaves: number): PublicRatchetTree {
    const nodes = Array.from({ length: nodeWidth(leaves) }, (_, x) => this.nodes[x]);
    return new PublicRatchetTree(nodes, this.memo.derive(leaves, []));
  }

  private checkLeaf(leafIndex: number): void {
    if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= this.leafCount)
      throw new ParleyMlsError("usage", `leaf ${leafIndex} is outside a tree of ${this.leafCount} leaves`);
  }

  private checkMember(leafIndex: number): void {
    if (!this.leaf(leafIndex)) throw new ParleyMlsError("invalid", `leaf ${leafIndex} is blank`);
  }
}

const invalid = (reason: string) => new ParleyMlsError("invalid", reason);
