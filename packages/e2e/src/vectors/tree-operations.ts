// tree-operations.json: an Add, Update or Remove proposal applied to a ratchet tree.
import {
  addLeafNode,
  decodeRatchetTree,
  encodeRatchetTree,
  removeLeafNode,
  updateLeafNode,
  type RatchetTree,
} from 'ts-mls/ratchetTree.js';
import { decodeProposal } from 'ts-mls/proposal.js';
import { treeHashRoot } from 'ts-mls/treeHash.js';
import { toLeafIndex } from 'ts-mls/treemath.js';
import { decoded, fromHex, ourSuite, sameBytes } from './check.js';

export interface TreeOperationsVector {
  tree_before: string;
  tree_hash_before: string;
  proposal: string;
  proposal_sender: number;
  tree_after: string;
  tree_hash_after: string;
}

export async function checkTreeOperations(v: TreeOperationsVector): Promise<void> {
  const cs = await ourSuite();
  const before = decoded('tree_before', decodeRatchetTree(fromHex(v.tree_before), 0));
  sameBytes('tree_hash_before', await treeHashRoot(before, cs.hash), v.tree_hash_before);
  const proposal = decoded('proposal', decodeProposal(fromHex(v.proposal), 0));
  let after: RatchetTree;
  if (proposal.proposalType === 'add') {
    [after] = addLeafNode(before, proposal.add.keyPackage.leafNode);
  } else if (proposal.proposalType === 'update') {
    after = updateLeafNode(before, proposal.update.leafNode, toLeafIndex(v.proposal_sender));
  } else if (proposal.proposalType === 'remove') {
    after = removeLeafNode(before, toLeafIndex(proposal.remove.removed));
  } else {
    throw new Error(`a ${proposal.proposalType} proposal does not change the tree`);
  }
  sameBytes('tree_after', encodeRatchetTree(after), v.tree_after);
  sameBytes('tree_hash_after', await treeHashRoot(after, cs.hash), v.tree_hash_after);
}
