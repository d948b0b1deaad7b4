// message-protection.json: a proposal, a commit and application data, protected as public and
// private messages by the vector's sender (leaf 1). We unprotect each, and protect our own copy
// and unprotect it again (the protection is randomised, so ours cannot equal the vector's).
import { getCiphersuiteNameFromId, type CiphersuiteImpl } from 'ts-mls/crypto/ciphersuite.js';
import type { GroupContext } from 'ts-mls/groupContext.js';
import { decodeMlsMessage } from 'ts-mls/message.js';
import { decodeProposal, encodeProposal } from 'ts-mls/proposal.js';
import { decodeCommit, encodeCommit } from 'ts-mls/commit.js';
import { createSecretTree } from 'ts-mls/secretTree.js';
import {
  protect,
  protectApplicationData,
  protectProposal,
  unprotectPrivateMessage,
} from 'ts-mls/messageProtection.js';
import {
  protectProposalPublic,
  protectPublicMessage,
  unprotectPublicMessage,
} from 'ts-mls/messageProtectionPublic.js';
import { createContentCommitSignature } from 'ts-mls/framedContent.js';
import type { PrivateMessage } from 'ts-mls/privateMessage.js';
import type { PublicMessage } from 'ts-mls/publicMessage.js';
import type { RatchetTree } from 'ts-mls/ratchetTree.js';
import { defaultKeyRetentionConfig } from 'ts-mls/keyRetentionConfig.js';
import { defaultPaddingConfig } from 'ts-mls/paddingConfig.js';
import { defaultCapabilities } from 'ts-mls/defaultCapabilities.js';
import { decoded, fromHex, OUR_SUITE_ID, ourSuite, same, sameBytes } from './check.js';

export interface MessageProtectionVector {
  group_id: string;
  epoch: number;
  tree_hash: string;
  confirmed_transcript_hash: string;
  signature_priv: string;
  signature_pub: string;
  encryption_secret: string;
  sender_data_secret: string;
  membership_key: string;
  proposal: string;
  proposal_pub: string;
  proposal_priv: string;
  commit: string;
  commit_pub: string;
  commit_priv: string;
  application: string;
  application_priv: string;
}

const SENDER = 1;

// Private messages name their sender by leaf; the sender's leaf must exist in the tree. Its keys
// are not used: the vector's signature key is passed explicitly.
const TREE_WITH_LEAF_1: RatchetTree = [
  undefined,
  undefined,
  {
    nodeType: 'leaf',
    leaf: {
      leafNodeSource: 'commit',
      hpkePublicKey: new Uint8Array(),
      signaturePublicKey: new Uint8Array(),
      capabilities: defaultCapabilities(),
      parentHash: new Uint8Array(),
      extensions: [],
      signature: new Uint8Array(),
      credential: { credentialType: 'basic', identity: new Uint8Array() },
    },
  },
];

export async function checkMessageProtection(v: MessageProtectionVector): Promise<void> {
  const cs = await ourSuite();
  const context: GroupContext = {
    version: 'mls10',
    cipherSuite: getCiphersuiteNameFromId(OUR_SUITE_ID),
    groupId: fromHex(v.group_id),
    epoch: BigInt(v.epoch),
    treeHash: fromHex(v.tree_hash),
    confirmedTranscriptHash: fromHex(v.confirmed_transcript_hash),
    extensions: [],
  };
  const proposal = decoded('proposal', decodeProposal(fromHex(v.proposal), 0));
  const commit = decoded('commit', decodeCommit(fromHex(v.commit), 0));
  const signKey = fromHex(v.signature_priv);
  const membershipKey = fromHex(v.membership_key);
  const senderDataSecret = fromHex(v.sender_data_secret);

  const openPublic = async (message: PublicMessage) => {
    const content = await unprotectPublicMessage(
      membershipKey,
      context,
      [],
      message,
      cs,
      fromHex(v.signature_pub),
    );
    return content.content;
  };
  // A fresh secret tree each time: opening a message consumes its generation's key.
  const openPrivate = async (message: PrivateMessage) => {
    const secretTree = await createSecretTree(2, fromHex(v.encryption_secret), cs.kdf);
    const opened = await unprotectPrivateMessage(
      senderDataSecret,
      message,
      secretTree,
      TREE_WITH_LEAF_1,
      context,
      defaultKeyRetentionConfig,
      cs,
      fromHex(v.signature_pub),
    );
    return opened.content.content;
  };
  const newSecretTree = () => createSecretTree(2, fromHex(v.encryption_secret), cs.kdf);

  // The vector's messages.
  const publicProposal = await openPublic(publicMessage('proposal_pub', v.proposal_pub));
  if (publicProposal.contentType !== 'proposal') throw new Error('proposal_pub is not a proposal');
  sameBytes('proposal_pub', encodeProposal(publicProposal.proposal), v.proposal);
  const publicCommitContent = await openPublic(publicMessage('commit_pub', v.commit_pub));
  if (publicCommitContent.contentType !== 'commit') throw new Error('commit_pub is not a commit');
  sameBytes('commit_pub', encodeCommit(publicCommitContent.commit), v.commit);
  const privateProposal = await openPrivate(privateMessage('proposal_priv', v.proposal_priv));
  same('proposal_priv content type', privateProposal.contentType, 'proposal');
  if (privateProposal.contentType === 'proposal') {
    sameBytes('proposal_priv', encodeProposal(privateProposal.proposal), v.proposal);
  }
  const privateCommit = await openPrivate(privateMessage('commit_priv', v.commit_priv));
  same('commit_priv content type', privateCommit.contentType, 'commit');
  if (privateCommit.contentType === 'commit') {
    sameBytes('commit_priv', encodeCommit(privateCommit.commit), v.commit);
  }
  const application = await openPrivate(privateMessage('application_priv', v.application_priv));
  same('application_priv content type', application.contentType, 'application');
  if (application.contentType === 'application') {
    sameBytes('application_priv', application.applicationData, v.application);
  }

  // Our own protection of the same contents, opened again.
  const ownPublicProposal = await protectProposalPublic(
    signKey,
    membershipKey,
    context,
    new Uint8Array(),
    proposal,
    SENDER,
    cs,
  );
  const reopenedProposal = await openPublic(ownPublicProposal.publicMessage);
  if (reopenedProposal.contentType !== 'proposal') throw new Error('our proposal is not one');
  sameBytes('our public proposal', encodeProposal(reopenedProposal.proposal), v.proposal);

  const publicCommit = await signedCommit(cs, context, commit, signKey, 'mls_public_message');
  const ownPublicCommit = await protectPublicMessage(
    membershipKey,
    context,
    {
      wireformat: 'mls_public_message',
      content: publicCommit.framedContent,
      auth: publicCommit.auth,
    },
    cs,
  );
  const reopenedCommit = await openPublic(ownPublicCommit);
  if (reopenedCommit.contentType !== 'commit') throw new Error('our public commit is not a commit');
  sameBytes('our public commit', encodeCommit(reopenedCommit.commit), v.commit);

  const ownPrivateProposal = await protectProposal(
    signKey,
    senderDataSecret,
    proposal,
    new Uint8Array(),
    context,
    await newSecretTree(),
    SENDER,
    defaultPaddingConfig,
    cs,
  );
  const reopenedPrivateProposal = await openPrivate(ownPrivateProposal.privateMessage);
  if (reopenedPrivateProposal.contentType !== 'proposal') throw new Error('not a proposal');
  sameBytes('our private proposal', encodeProposal(reopenedPrivateProposal.proposal), v.proposal);

  const ownApplication = await protectApplicationData(
    signKey,
    senderDataSecret,
    fromHex(v.application),
    new Uint8Array(),
    context,
    await newSecretTree(),
    SENDER,
    defaultPaddingConfig,
    cs,
  );
  const reopenedApplication = await openPrivate(ownApplication.privateMessage);
  if (reopenedApplication.contentType !== 'application') throw new Error('not application data');
  sameBytes('our application data', reopenedApplication.applicationData, v.application);

  const privateCommitContent = await signedCommit(
    cs,
    context,
    commit,
    signKey,
    'mls_private_message',
  );
  const ownPrivateCommit = await protect(
    senderDataSecret,
    new Uint8Array(),
    context,
    await newSecretTree(),
    { ...privateCommitContent.framedContent, auth: privateCommitContent.auth },
    SENDER,
    defaultPaddingConfig,
    cs,
  );
  const reopenedPrivateCommit = await openPrivate(ownPrivateCommit.privateMessage);
  if (reopenedPrivateCommit.contentType !== 'commit') throw new Error('not a commit');
  sameBytes('our private commit', encodeCommit(reopenedPrivateCommit.commit), v.commit);
}

/** A commit framed and signed by the vector's sender, with a stand-in confirmation tag. */
async function signedCommit(
  cs: CiphersuiteImpl,
  context: GroupContext,
  commit: Parameters<typeof createContentCommitSignature>[2],
  signKey: Uint8Array,
  wireformat: 'mls_public_message' | 'mls_private_message',
) {
  const { framedContent, signature } = await createContentCommitSignature(
    context,
    wireformat,
    commit,
    { leafIndex: SENDER, senderType: 'member' },
    new Uint8Array(),
    signKey,
    cs.signature,
  );
  const confirmationTag = crypto.getRandomValues(new Uint8Array(32));
  return { framedContent, auth: { contentType: 'commit' as const, signature, confirmationTag } };
}

function publicMessage(what: string, hex: string): PublicMessage {
  const message = decoded(what, decodeMlsMessage(fromHex(hex), 0));
  if (message.wireformat !== 'mls_public_message')
    throw new Error(`${what} is ${message.wireformat}`);
  return message.publicMessage;
}

function privateMessage(what: string, hex: string): PrivateMessage {
  const message = decoded(what, decodeMlsMessage(fromHex(hex), 0));
  if (message.wireformat !== 'mls_private_message')
    throw new Error(`${what} is ${message.wireformat}`);
  return message.privateMessage;
}
