// tree-validation.json: a ratchet tree's per-node tree hashes and resolutions, its parent
// hashes, and every leaf's signature.
import { decodeRatchetTree, resolution } from 'ts-mls/ratchetTree.js';
import { treeHash } from 'ts-mls/treeHash.js';
import { verifyParentHashes } from 'ts-mls/parentHash.js';
import { verifyLeafNodeSignature } from 'ts-mls/leafNode.js';
import { nodeToLeafIndex, toNodeIndex } from 'ts-mls/treemath.js';
import { decoded, fromHex, holds, ourSuite, same, sameBytes } from './check.js';

export interface TreeValidationVector {
  tree: string;
  group_id: string;
  tree_hashes: string[];
  resolutions: number[][];
}

export async function checkTreeValidation(v: TreeValidationVector): Promise<void> {
  const cs = await ourSuite();
  const tree = decoded('tree', decodeRatchetTree(fromHex(v.tree), 0));
  for (const [node, expected] of v.tree_hashes.entries()) {
    sameBytes(
      `tree hash of node ${node}`,
      await treeHash(tree, toNodeIndex(node), cs.hash),
      expected,
    );
  }
  for (const [node, expected] of v.resolutions.entries()) {
    same(`resolution of node ${node}`, resolution(tree, toNodeIndex(node)), expected);
  }
  holds('parent hashes', await verifyParentHashes(tree, cs.hash));
  for (const [node, entry] of tree.entries()) {
    if (entry?.nodeType !== 'leaf') continue;
    const leaf = nodeToLeafIndex(toNodeIndex(node));
    holds(
      `signature of leaf ${leaf}`,
      await verifyLeafNodeSignature(entry.leaf, fromHex(v.group_id), leaf, cs.signature),
    );
  }
}
