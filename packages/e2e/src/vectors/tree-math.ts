// tree-math.json: node counts, the root, and each node's left, right, parent and sibling.
import { left, nodeWidth, parent, right, root, sibling, toNodeIndex } from 'ts-mls/treemath.js';
import { same, throws } from './check.js';

export interface TreeMathVector {
  n_leaves: number;
  n_nodes: number;
  root: number;
  left: (number | null)[];
  right: (number | null)[];
  parent: (number | null)[];
  sibling: (number | null)[];
}

export function checkTreeMath(v: TreeMathVector): Promise<void> {
  same('n_nodes', nodeWidth(v.n_leaves), v.n_nodes);
  same('root', root(v.n_leaves), v.root);
  const relations = {
    left: (i: number) => left(toNodeIndex(i)),
    right: (i: number) => right(toNodeIndex(i)),
    parent: (i: number) => parent(toNodeIndex(i), v.n_leaves),
    sibling: (i: number) => sibling(toNodeIndex(i), v.n_leaves),
  };
  for (const [name, relation] of Object.entries(relations)) {
    for (const [i, expected] of v[name as keyof typeof relations].entries()) {
      // null: the node has no such relative (a leaf's child, the root's parent).
      if (expected === null) throws(`${name}(${i})`, () => relation(i));
      else same(`${name}(${i})`, relation(i), expected);
    }
  }
  return Promise.resolve();
}
