// treekem.json: a ratchet tree with some members' private state, and UpdatePaths from several
// senders. Each receiver must recover the vector's path secret and commit secret; then the
// sender makes a new UpdatePath of ours, and every receiver must reach its commit secret too.
import { getCiphersuiteNameFromId } from 'ts-mls/crypto/ciphersuite.js';
import { deriveSecret } from 'ts-mls/crypto/kdf.js';
import type { GroupContext } from 'ts-mls/groupContext.js';
import { decodeRatchetTree, getHpkePublicKey } from 'ts-mls/ratchetTree.js';
import { applyUpdatePath, createUpdatePath, decodeUpdatePath } from 'ts-mls/updatePath.js';
import { treeHashRoot } from 'ts-mls/treeHash.js';
import { leafToNodeIndex, toLeafIndex } from 'ts-mls/treemath.js';
import { applyUpdatePathSecret } from 'ts-mls/createCommit.js';
import { getCommitSecret } from 'ts-mls/pathSecrets.js';
import { toPrivateKeyPath, type PrivateKeyPath } from 'ts-mls/privateKeyPath.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { decoded, fromHex, OUR_SUITE_ID, ourSuite, same, sameBytes } from './check.js';

interface LeafPrivate {
  index: number;
  encryption_priv: string;
  signature_priv: string;
  path_secrets: { node: number; path_secret: string }[];
}

interface UpdatePathCase {
  sender: number;
  update_path: string;
  path_secrets: (string | null)[];
  commit_secret: string;
  tree_hash_after: string;
}

export interface TreeKemVector {
  group_id: string;
  epoch: number;
  confirmed_transcript_hash: string;
  ratchet_tree: string;
  leaves_private: LeafPrivate[];
  update_paths: UpdatePathCase[];
}

export async function checkTreeKem(v: TreeKemVector): Promise<void> {
  const cs = await ourSuite();
  const tree = decoded('ratchet_tree', decodeRatchetTree(fromHex(v.ratchet_tree), 0));
  const context: GroupContext = {
    version: 'mls10',
    cipherSuite: getCiphersuiteNameFromId(OUR_SUITE_ID),
    groupId: fromHex(v.group_id),
    epoch: BigInt(v.epoch),
    treeHash: await treeHashRoot(tree, cs.hash),
    confirmedTranscriptHash: fromHex(v.confirmed_transcript_hash),
    extensions: [],
  };

  // Each member's private keys: its leaf key and the keys its path secrets derive.
  const members: PrivateKeyPath[] = [];
  for (const leaf of v.leaves_private) {
    const leafNode = tree[leafToNodeIndex(toLeafIndex(leaf.index))];
    if (leafNode?.nodeType !== 'leaf') throw new Error(`no leaf at ${leaf.index}`);
    sameBytes(
      `leaf ${leaf.index} encryption key`,
      x25519.getPublicKey(fromHex(leaf.encryption_priv)),
      Array.from(getHpkePublicKey(leafNode), (b) => b.toString(16).padStart(2, '0')).join(''),
    );
    const secrets: Record<number, Uint8Array> = {};
    for (const { node, path_secret } of leaf.path_secrets) {
      const nodeSecret = await deriveSecret(fromHex(path_secret), 'node', cs.kdf);
      const { publicKey } = await cs.hpke.deriveKeyPair(nodeSecret);
      const treeNode = tree[node];
      if (treeNode === undefined) throw new Error(`no node ${node}`);
      same(
        `public key of node ${node} from leaf ${leaf.index}'s path secret`,
        Array.from(await cs.hpke.exportPublicKey(publicKey)),
        Array.from(getHpkePublicKey(treeNode)),
      );
      secrets[node] = fromHex(path_secret);
    }
    const path = await toPrivateKeyPath(secrets, leaf.index, cs);
    members.push({
      ...path,
      privateKeys: {
        ...path.privateKeys,
        [leafToNodeIndex(toLeafIndex(leaf.index))]: fromHex(leaf.encryption_priv),
      },
    });
  }

  for (const u of v.update_paths) {
    const at = `update path from leaf ${u.sender}`;
    const sender = toLeafIndex(u.sender);
    const updatePath = decoded(at, decodeUpdatePath(fromHex(u.update_path), 0));
    const updated = await applyUpdatePath(tree, sender, updatePath, cs.hash);
    const hashAfter = await treeHashRoot(updated, cs.hash);
    sameBytes(`${at}: tree_hash_after`, hashAfter, u.tree_hash_after);
    const updatedContext = { ...context, treeHash: hashAfter };

    const senderPrivate = v.leaves_private.find((leaf) => leaf.index === u.sender);
    if (senderPrivate === undefined)
      throw new Error(`${at}: the sender's private state is missing`);
    const [ourTree, ourPath, ourSecrets] = await createUpdatePath(
      updated,
      sender,
      updatedContext,
      fromHex(senderPrivate.signature_priv),
      cs,
    );
    const rootSecret = ourSecrets[ourSecrets.length - 1];
    if (rootSecret === undefined) throw new Error(`${at}: our update path has no secrets`);
    const ourCommitSecret = await deriveSecret(rootSecret.secret, 'path', cs.kdf);
    const ourContext = {
      ...context,
      treeHash: await treeHashRoot(ourTree, cs.hash),
      epoch: context.epoch + 1n,
    };

    for (const member of members) {
      const expected = u.path_secrets[member.leafIndex];
      if (member.leafIndex === u.sender) {
        same(`${at}: the sender's own path secret`, expected, null);
        continue;
      }
      if (expected === null || expected === undefined) {
        throw new Error(`${at}: no path secret for leaf ${member.leafIndex}`);
      }
      const theirs = await applyUpdatePathSecret(
        tree,
        member,
        sender,
        updatedContext,
        updatePath,
        [],
        cs,
      );
      sameBytes(`${at}: leaf ${member.leafIndex} path secret`, theirs.pathSecret, expected);
      sameBytes(
        `${at}: leaf ${member.leafIndex} commit secret`,
        await getCommitSecret(tree, theirs.nodeIndex, theirs.pathSecret, cs.kdf),
        u.commit_secret,
      );
      const ours = await applyUpdatePathSecret(tree, member, sender, ourContext, ourPath, [], cs);
      same(
        `${at}: leaf ${member.leafIndex} commit secret of our update path`,
        Array.from(await getCommitSecret(tree, ours.nodeIndex, ours.pathSecret, cs.kdf)),
        Array.from(ourCommitSecret),
      );
    }
  }
}
