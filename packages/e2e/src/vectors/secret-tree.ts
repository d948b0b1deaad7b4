// secret-tree.json: sender-data keys, and each leaf's handshake and application ratchets.
import { createSecretTree, deriveKey, deriveNonce, ratchetUntil } from 'ts-mls/secretTree.js';
import { expandSenderDataKey, expandSenderDataNonce } from 'ts-mls/sender.js';
import { leafToNodeIndex, toLeafIndex } from 'ts-mls/treemath.js';
import { defaultKeyRetentionConfig } from 'ts-mls/keyRetentionConfig.js';
import { fromHex, ourSuite, same, sameBytes } from './check.js';

interface Generation {
  generation: number;
  handshake_key: string;
  handshake_nonce: string;
  application_key: string;
  application_nonce: string;
}

export interface SecretTreeVector {
  sender_data: { sender_data_secret: string; ciphertext: string; key: string; nonce: string };
  encryption_secret: string;
  leaves: Generation[][];
}

export async function checkSecretTree(v: SecretTreeVector): Promise<void> {
  const cs = await ourSuite();
  const sd = v.sender_data;
  sameBytes(
    'sender_data_key',
    await expandSenderDataKey(cs, fromHex(sd.sender_data_secret), fromHex(sd.ciphertext)),
    sd.key,
  );
  sameBytes(
    'sender_data_nonce',
    await expandSenderDataNonce(cs, fromHex(sd.sender_data_secret), fromHex(sd.ciphertext)),
    sd.nonce,
  );

  const tree = await createSecretTree(v.leaves.length, fromHex(v.encryption_secret), cs.kdf);
  for (const [leaf, generations] of v.leaves.entries()) {
    const node = tree[leafToNodeIndex(toLeafIndex(leaf))];
    if (node === undefined) throw new Error(`no secret tree node for leaf ${leaf}`);
    for (const g of generations) {
      for (const [kind, start] of [
        ['handshake', node.handshake],
        ['application', node.application],
      ] as const) {
        const [ratchet] = await ratchetUntil(
          start,
          g.generation,
          defaultKeyRetentionConfig,
          cs.kdf,
        );
        same(`leaf ${leaf} ${kind} generation`, ratchet.generation, g.generation);
        const at = `leaf ${leaf} generation ${g.generation} ${kind}`;
        sameBytes(
          `${at} key`,
          await deriveKey(ratchet.secret, ratchet.generation, cs),
          g[`${kind}_key`],
        );
        sameBytes(
          `${at} nonce`,
          await deriveNonce(ratchet.secret, ratchet.generation, cs),
          g[`${kind}_nonce`],
        );
      }
    }
  }
}
