import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeGroupState,
  defaultKeyPackageEqualityConfig,
  emptyPskIndex,
  encodeGroupState,
  joinGroup,
  processMessage,
  type ClientConfig,
  type ClientState,
  type IncomingMessageCallback,
  type KeyRetentionConfig,
  type MLSMessage,
  type PaddingConfig,
  type Proposal,
  type ProposalWithSender,
  type RatchetTree,
} from 'ts-mls';
import { decryptSenderData } from 'ts-mls/privateMessage.js';
import { LIMITS } from '@tokki/protocol';
import type { RecordingAuthenticationService, SecretAuthentication } from './authentication.js';
import { bytesEqual, fromBase64, readJsonObject, toBase64, toHex, writeJson } from './bytes.js';
import { deviceOfCredential, type DeviceRef } from './credential.js';
import { E2eError, type E2eErrorCode } from './errors.js';
import type { DeviceIdentity } from './identity.js';
import {
  decodeKeyPackage,
  openKeyPackageBundle,
  type KeyPackageBundle,
  type KeyPackageLookup,
} from './key-packages.js';
import { decodeWholeMlsMessage, encodeMlsMessage } from './mls-message.js';
import { CIPHER_SUITE, cipherSuite } from './suite.js';

/**
 * How far out of order a message may arrive and still be read (the retention window):
 * - within an epoch, up to 64 later messages of the same sender may come first (their skipped
 *   keys are kept; older skipped keys are deleted, for forward secrecy);
 * - a message of one of the 4 epochs before the current one is still read (the server orders
 *   a chat's updates, so this only covers a commit processed before a message sent just ahead);
 * - a sender may be up to 1000 messages ahead of what this device has read (messages the server
 *   purged after their TTL), beyond that the gap is not bridged.
 * Outside the window process() refuses with TOO_OLD.
 */
export const KEY_RETENTION: KeyRetentionConfig = {
  retainKeysForGenerations: 64,
  retainKeysForEpochs: 4,
  maximumForwardRatchetSteps: 1000,
};

/**
 * Application ciphertexts are padded to the next of these sizes (bytes of the encrypted content),
 * so the server learns a size class, not a length. The largest stays under the server's
 * SECRET_MESSAGE_BYTES_MAX with room for the header; content larger than it is not padded.
 */
const PADDING_BUCKETS = [256, 1024, 4096, 8192, 17_408] as const;
/** Bytes PrivateMessageContent adds around the plaintext (length prefix, signature, padding prefix). */
const CONTENT_OVERHEAD = 80;

/** Digests of processed or sent messages remembered to tell a replay (REPLAY) apart. */
const SEEN_MAX = 1024;

export interface SecretMember extends DeviceRef {
  readonly leafIndex: number;
  readonly signatureKey: Uint8Array;
}

export interface CommitRequest {
  /** Key packages (MLSMessage bytes, as claimed from the server) of devices to add. */
  readonly add?: readonly Uint8Array[];
  readonly remove?: readonly DeviceRef[];
  /** Refresh this device's keys (post-compromise security): a commit with an update path. */
  readonly update?: boolean;
}

export interface CommitResult {
  /** The commit, a PrivateMessage (see commit()), for `secret.commit`. */
  readonly commit: Uint8Array;
  /** The Welcome for the added devices, with the ratchet tree inside. */
  readonly welcome?: Uint8Array;
  /** The group after the commit: use it once the server accepted the commit, else keep this one. */
  readonly group: SecretGroup;
}

export type ProcessResult =
  | {
      readonly kind: 'application';
      readonly plaintext: Uint8Array;
      readonly sender: DeviceRef;
      readonly group: SecretGroup;
    }
  | {
      readonly kind: 'commit';
      readonly added: DeviceRef[];
      readonly removed: DeviceRef[];
      readonly sender: DeviceRef;
      readonly group: SecretGroup;
    };

/**
 * A secret chat's MLS group as seen by one device: an immutable value. Every operation returns
 * the next SecretGroup and leaves this one usable, so a caller whose commit the server refused
 * (SECRET_EPOCH_STALE) keeps the old group, processes the winner's commit and commits again.
 *
 * Secrets the library reports as consumed are not zeroed here, since the older value may still be
 * kept; forward secrecy at rest comes from keeping (serializing) only the newest group.
 */
export class SecretGroup {
  private constructor(
    private readonly state: ClientState,
    private readonly identity: DeviceIdentity,
    private readonly auth: SecretAuthentication,
    private readonly seen: readonly string[],
  ) {}

  /** A new group at epoch 0 with this device alone, from one of its own key packages. */
  static async create(
    identity: DeviceIdentity,
    keyPackage: KeyPackageBundle,
    groupId: Uint8Array,
    auth: SecretAuthentication,
  ): Promise<SecretGroup> {
    if (groupId.length === 0 || groupId.length > 255) {
      throw new E2eError('INVALID_REQUEST', 'a group id is 1 to 255 bytes');
    }
    const own = openOwnBundle(keyPackage, identity);
    const cs = await cipherSuite();
    const recorder = auth.recording();
    const state = await withMlsErrors(recorder, 'INVALID_REQUEST', () =>
      createGroup(groupId, own.keyPackage, own.privateKeys, [], cs, clientConfig(recorder)),
    );
    return new SecretGroup(state, identity, auth, []);
  }

  /**
   * Joins from a Welcome. The ratchet tree comes in the Welcome's GroupInfo (ratchet_tree
   * extension), and every member's credential in it is authenticated.
   */
  static async join(
    identity: DeviceIdentity,
    welcome: Uint8Array,
    keyPackages: KeyPackageLookup,
    auth: SecretAuthentication,
  ): Promise<SecretGroup> {
    const message = decodeWholeMlsMessage(welcome);
    if (message.wireformat !== 'mls_welcome') throw new E2eError('MALFORMED', 'not a Welcome');
    if (message.welcome.cipherSuite !== CIPHER_SUITE) {
      throw new E2eError('WRONG_SUITE', 'a Welcome of another cipher suite');
    }
    let bundle: KeyPackageBundle | undefined;
    for (const secrets of message.welcome.secrets) {
      const ref = toHex(secrets.newMember);
      bundle = typeof keyPackages === 'function' ? await keyPackages(ref) : keyPackages.get(ref);
      if (bundle !== undefined) break;
    }
    if (bundle === undefined) {
      throw new E2eError(
        'NO_MATCHING_KEY_PACKAGE',
        'the Welcome is for none of these key packages',
      );
    }
    const own = openOwnBundle(bundle, identity);
    const cs = await cipherSuite();
    const recorder = auth.recording();
    const state = await withMlsErrors(recorder, 'TAMPERED', () =>
      joinGroup(
        message.welcome,
        own.keyPackage,
        own.privateKeys,
        emptyPskIndex,
        cs,
        undefined,
        undefined,
        clientConfig(recorder),
      ),
    );
    return new SecretGroup(state, identity, auth, []);
  }

  /** Reads a group back from serialize(); MALFORMED unless it is one of this identity's groups. */
  static deserialize(
    bytes: Uint8Array,
    identity: DeviceIdentity,
    auth: SecretAuthentication,
  ): SecretGroup {
    const value = readJsonObject(bytes);
    const encoded = typeof value?.state === 'string' ? fromBase64(value.state) : undefined;
    const seen = value?.seen;
    if (
      value?.v !== 1 ||
      encoded === undefined ||
      !Array.isArray(seen) ||
      !seen.every((digest): digest is string => typeof digest === 'string')
    ) {
      throw new E2eError('MALFORMED', 'not a serialized secret group');
    }
    let decoded: ReturnType<typeof decodeGroupState>;
    try {
      decoded = decodeGroupState(encoded, 0);
    } catch {
      decoded = undefined;
    }
    if (decoded === undefined || decoded[1] !== encoded.length) {
      throw new E2eError('MALFORMED', 'not a serialized secret group');
    }
    const state: ClientState = { ...decoded[0], clientConfig: clientConfig(auth.recording()) };
    const ownLeaf = state.ratchetTree[state.privatePath.leafIndex * 2];
    if (
      state.groupContext.cipherSuite !== CIPHER_SUITE ||
      (ownLeaf !== undefined && ownLeaf?.nodeType !== 'leaf') ||
      (ownLeaf?.nodeType === 'leaf' &&
        !bytesEqual(ownLeaf.leaf.signaturePublicKey, identity.signaturePublicKey))
    ) {
      throw new E2eError('MALFORMED', 'a group of another device or suite');
    }
    return new SecretGroup(state, identity, auth, seen);
  }

  serialize(): Uint8Array {
    return writeJson({ v: 1, state: toBase64(encodeGroupState(this.state)), seen: this.seen });
  }

  get groupId(): Uint8Array {
    return this.state.groupContext.groupId.slice();
  }

  get epoch(): number {
    return Number(this.state.groupContext.epoch);
  }

  /** False once a processed commit removed this device: then nothing more can be read or sent. */
  get active(): boolean {
    return this.state.groupActiveState.kind === 'active';
  }

  /** RFC 9420 §8.7 epoch_authenticator: equal on all members of an epoch; compare to detect a fork. */
  epochAuthenticator(): Uint8Array {
    return this.state.keySchedule.epochAuthenticator.slice();
  }

  members(): SecretMember[] {
    return membersOf(this.state.ratchetTree);
  }

  /**
   * Adds, removes and/or self-updates in one commit.
   *
   * The commit goes as a PrivateMessage, not a PublicMessage: the server needs only the header,
   * and a PrivateMessage's header (group id, epoch, content type 'commit') is in the clear like a
   * PublicMessage's, while its body — which devices, their credentials and keys, the update path —
   * stays hidden from the server and from anyone who reads the log. A PublicMessage would let the
   * server check the signature only if it tracked the whole tree, which it does not.
   */
  async commit(request: CommitRequest): Promise<CommitResult> {
    this.assertActive();
    const add = request.add ?? [];
    const remove = request.remove ?? [];
    const update = request.update === true;
    if (add.length === 0 && remove.length === 0 && !update) {
      throw new E2eError('INVALID_REQUEST', 'a commit adds, removes or updates');
    }
    if (add.length > LIMITS.SECRET_ADDS_PER_COMMIT_MAX) {
      throw new E2eError(
        'INVALID_REQUEST',
        `a commit adds at most ${LIMITS.SECRET_ADDS_PER_COMMIT_MAX} devices`,
      );
    }
    if (update && add.length > 0 && remove.length === 0) {
      // MLS sends no update path with a commit of adds alone, so "update" would silently not happen.
      throw new E2eError('INVALID_REQUEST', 'update with adds alone: commit the adds, then update');
    }
    const members = this.members();
    const me = members.find((member) => member.leafIndex === this.state.privatePath.leafIndex);
    const proposals: Proposal[] = [];
    const staying = new Set(members.map(deviceKey));
    for (const device of remove) {
      const member = members.find((candidate) => deviceKey(candidate) === deviceKey(device));
      if (member === undefined)
        throw new E2eError('NOT_MEMBER', 'removing a device that is not in the group');
      if (member === me)
        throw new E2eError('INVALID_REQUEST', 'a device cannot commit its own removal');
      if (!staying.delete(deviceKey(member))) continue;
      proposals.push({ proposalType: 'remove', remove: { removed: member.leafIndex } });
    }
    // A device removed in this commit may come back in it with a new key package (a new identity key).
    for (const bytes of add) {
      const keyPackage = decodeKeyPackage(bytes);
      const verdict = await this.auth.check(
        keyPackage.leafNode.credential,
        keyPackage.leafNode.signaturePublicKey,
      );
      if (!verdict.ok) throw new E2eError(verdict.code, `a key package refused: ${verdict.reason}`);
      const key = deviceKey(verdict.device);
      if (staying.has(key))
        throw new E2eError('INVALID_REQUEST', 'a device already in the group, or added twice');
      staying.add(key);
      proposals.push({ proposalType: 'add', add: { keyPackage } });
    }
    const cs = await cipherSuite();
    const recorder = this.auth.recording();
    const result = await withMlsErrors(recorder, 'INVALID_REQUEST', () =>
      createCommit(
        { state: this.withConfig(clientConfig(recorder)), cipherSuite: cs },
        { extraProposals: proposals, ratchetTreeExtension: true },
      ),
    );
    const commit = encodeMlsMessage(result.commit);
    const welcome =
      result.welcome === undefined
        ? undefined
        : encodeMlsMessage({
            version: 'mls10',
            wireformat: 'mls_welcome',
            welcome: result.welcome,
          });
    const group = new SecretGroup(
      result.newState,
      this.identity,
      this.auth,
      await remember(this.seen, commit),
    );
    return welcome === undefined ? { commit, group } : { commit, welcome, group };
  }

  /** Encrypts an application message (see content.ts for what the plaintext is). */
  async encrypt(plaintext: Uint8Array): Promise<{ data: Uint8Array; group: SecretGroup }> {
    this.assertActive();
    const cs = await cipherSuite();
    const recorder = this.auth.recording();
    const state = this.withConfig(clientConfig(recorder, paddingFor(plaintext.length)));
    const result = await withMlsErrors(recorder, 'INVALID_REQUEST', () =>
      createApplicationMessage(state, plaintext, cs),
    );
    const data = encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage: result.privateMessage,
    });
    if (data.length > LIMITS.SECRET_MESSAGE_BYTES_MAX) {
      throw new E2eError('INVALID_REQUEST', 'the message is larger than a secret message may be');
    }
    return { data, group: this.next(result.newState, await remember(this.seen, data)) };
  }

  /**
   * Reads a message or commit of this group, in the order the server logged them. Own messages
   * and commits coming back, and anything seen before, are REPLAY. Commits of an earlier epoch —
   * the one that added this device, or one that lost the race for its epoch — are WRONG_EPOCH:
   * skip them. The refusals are typed:
   * MALFORMED, WRONG_GROUP, WRONG_EPOCH, REPLAY, TOO_OLD, TAMPERED, NOT_MEMBER, BAD_CREDENTIAL,
   * UNTRUSTED_KEY; a refusal changes nothing (this group stays as it was).
   */
  async process(data: Uint8Array): Promise<ProcessResult> {
    const message = decodeWholeMlsMessage(data);
    const header = headerOf(message);
    if (!bytesEqual(header.groupId, this.state.groupContext.groupId)) {
      throw new E2eError('WRONG_GROUP', 'a message of another group');
    }
    this.assertActive();
    const digest = await digestOf(data);
    if (this.seen.includes(digest))
      throw new E2eError('REPLAY', 'this message was already processed');
    const current = this.state.groupContext.epoch;
    if (header.contentType === 'proposal') {
      throw new E2eError('MALFORMED', 'standalone proposals are not used in secret chats');
    }
    if (header.epoch > current) throw new E2eError('WRONG_EPOCH', 'a message of a later epoch');
    if (header.epoch < current) {
      if (header.contentType === 'commit')
        throw new E2eError('WRONG_EPOCH', 'a commit of an earlier epoch');
      if (!this.state.historicalReceiverData.has(header.epoch)) {
        throw new E2eError('TOO_OLD', 'a message of an epoch whose keys are deleted');
      }
    }
    const senderLeaf = await this.senderLeafIndex(message, header.epoch);
    const sender = this.memberAt(senderLeaf, header.epoch);
    if (sender === undefined) throw new E2eError('NOT_MEMBER', 'the sender is not a member');

    const cs = await cipherSuite();
    const recorder = this.auth.recording();
    let refusal = undefined as E2eError | undefined;
    let committed: ProposalWithSender[] = [];
    const policy: IncomingMessageCallback = (incoming) => {
      if (incoming.kind === 'proposal') {
        refusal = new E2eError('MALFORMED', 'standalone proposals are not used in secret chats');
        return 'reject';
      }
      if (incoming.senderLeafIndex === undefined) {
        refusal = new E2eError('NOT_MEMBER', 'a commit by a non-member');
        return 'reject';
      }
      const foreign = incoming.proposals.find(
        (p) => p.proposal.proposalType !== 'add' && p.proposal.proposalType !== 'remove',
      );
      if (foreign !== undefined) {
        refusal = new E2eError(
          'MALFORMED',
          `a commit with a ${foreign.proposal.proposalType} proposal`,
        );
        return 'reject';
      }
      committed = incoming.proposals;
      return 'accept';
    };
    const state = this.withConfig(clientConfig(recorder));
    const result = await withMlsErrors(
      recorder,
      'TAMPERED',
      () => processMessage(mlsContent(message), state, emptyPskIndex, policy, cs),
      () => refusal,
    );
    if (result.kind === 'newState' && result.actionTaken === 'reject') {
      throw refusal ?? new E2eError('TAMPERED', 'the commit was refused');
    }
    const seen = await remember(this.seen, data, digest);
    const group = this.next(result.newState, seen);
    if (result.kind === 'applicationMessage') {
      return { kind: 'application', plaintext: result.message, sender, group };
    }
    const oldTree = this.state.ratchetTree;
    const removed = committed.flatMap(({ proposal }) => {
      const member =
        proposal.proposalType === 'remove'
          ? memberAtLeaf(oldTree, proposal.remove.removed)
          : undefined;
      return member === undefined ? [] : [device(member)];
    });
    const added = committed.flatMap(({ proposal }) => {
      const added =
        proposal.proposalType === 'add'
          ? deviceOfCredential(proposal.add.keyPackage.leafNode.credential)
          : undefined;
      return added === undefined ? [] : [added];
    });
    return { kind: 'commit', added, removed, sender, group };
  }

  private next(state: ClientState, seen: readonly string[]): SecretGroup {
    return new SecretGroup(state, this.identity, this.auth, seen);
  }

  private withConfig(config: ClientConfig): ClientState {
    return { ...this.state, clientConfig: config };
  }

  private assertActive(): void {
    if (!this.active) throw new E2eError('NOT_MEMBER', 'this device was removed from the group');
  }

  /** The sender's leaf: in the clear for a PublicMessage, in the encrypted sender data otherwise. */
  private async senderLeafIndex(message: MLSMessage, epoch: bigint): Promise<number | undefined> {
    if (message.wireformat === 'mls_public_message') {
      const { sender } = message.publicMessage.content;
      return sender.senderType === 'member' ? sender.leafIndex : undefined;
    }
    if (message.wireformat !== 'mls_private_message') return undefined;
    const secret =
      epoch === this.state.groupContext.epoch
        ? this.state.keySchedule.senderDataSecret
        : this.state.historicalReceiverData.get(epoch)?.senderDataSecret;
    if (secret === undefined)
      throw new E2eError('TOO_OLD', 'a message of an epoch whose keys are deleted');
    let senderData: Awaited<ReturnType<typeof decryptSenderData>>;
    try {
      senderData = await decryptSenderData(message.privateMessage, secret, await cipherSuite());
    } catch {
      senderData = undefined;
    }
    if (senderData === undefined)
      throw new E2eError('TAMPERED', 'the sender data does not decrypt');
    return senderData.leafIndex;
  }

  private memberAt(leafIndex: number | undefined, epoch: bigint): DeviceRef | undefined {
    if (leafIndex === undefined) return undefined;
    const tree =
      epoch === this.state.groupContext.epoch
        ? this.state.ratchetTree
        : this.state.historicalReceiverData.get(epoch)?.ratchetTree;
    const member = tree === undefined ? undefined : memberAtLeaf(tree, leafIndex);
    return member === undefined ? undefined : device(member);
  }
}

function clientConfig(auth: RecordingAuthenticationService, padding?: PaddingConfig): ClientConfig {
  return {
    keyRetentionConfig: KEY_RETENTION,
    // Key packages get a lifetime (key-packages.ts); a member receiving a commit does not re-check
    // it against its own clock, so a skewed clock cannot split the group.
    lifetimeConfig: { maximumTotalLifetime: 2n ** 63n - 1n, validateLifetimeOnReceive: false },
    keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
    paddingConfig: padding ?? { kind: 'padUntilLength', padUntilLength: 0 },
    authService: auth,
  };
}

function paddingFor(plaintextLength: number): PaddingConfig {
  const needed = plaintextLength + CONTENT_OVERHEAD;
  const bucket = PADDING_BUCKETS.find((size) => size >= needed);
  return { kind: 'padUntilLength', padUntilLength: bucket ?? 0 };
}

function openOwnBundle(
  bundle: KeyPackageBundle,
  identity: DeviceIdentity,
): ReturnType<typeof openKeyPackageBundle> {
  const own = openKeyPackageBundle(bundle, identity);
  const device = deviceOfCredential(own.keyPackage.leafNode.credential);
  if (
    device?.userId !== identity.userId ||
    device.deviceId !== identity.deviceId ||
    !bytesEqual(own.keyPackage.leafNode.signaturePublicKey, identity.signaturePublicKey)
  ) {
    throw new E2eError('INVALID_REQUEST', "a key package of another device's identity");
  }
  return own;
}

type Header = {
  groupId: Uint8Array;
  epoch: bigint;
  contentType: 'application' | 'proposal' | 'commit';
};

function headerOf(message: MLSMessage): Header {
  if (message.wireformat === 'mls_private_message') return message.privateMessage;
  if (message.wireformat === 'mls_public_message') return message.publicMessage.content;
  throw new E2eError('MALFORMED', 'not a group message');
}

function mlsContent(message: MLSMessage): Parameters<typeof processMessage>[0] {
  if (message.wireformat === 'mls_private_message' || message.wireformat === 'mls_public_message')
    return message;
  throw new E2eError('MALFORMED', 'not a group message');
}

function membersOf(tree: RatchetTree): SecretMember[] {
  const members: SecretMember[] = [];
  for (let leafIndex = 0; leafIndex * 2 < tree.length; leafIndex += 1) {
    const member = memberAtLeaf(tree, leafIndex);
    if (member !== undefined) members.push(member);
  }
  return members;
}

function memberAtLeaf(tree: RatchetTree, leafIndex: number): SecretMember | undefined {
  const node = tree[leafIndex * 2];
  if (node?.nodeType !== 'leaf') return undefined;
  const owner = deviceOfCredential(node.leaf.credential);
  if (owner === undefined) return undefined;
  return { ...owner, leafIndex, signatureKey: node.leaf.signaturePublicKey };
}

const device = (member: DeviceRef): DeviceRef => ({
  userId: member.userId,
  deviceId: member.deviceId,
});
const deviceKey = (member: DeviceRef): string => `${member.userId}:${member.deviceId}`;

async function digestOf(data: Uint8Array): Promise<string> {
  return toBase64(await (await cipherSuite()).hash.digest(data));
}

async function remember(
  seen: readonly string[],
  data: Uint8Array,
  digest?: string,
): Promise<string[]> {
  return [...seen, digest ?? (await digestOf(data))].slice(-SEEN_MAX);
}

/**
 * Runs a ts-mls operation and turns whatever it throws into an E2eError: the authentication
 * service's refusal if there was one, our own policy's refusal, TOO_OLD when the key for the
 * message's generation is gone or out of reach, else `fallback`. A failure of the key directory
 * or trust store (offline, storage) is rethrown as it is: it says nothing about the bytes.
 */
async function withMlsErrors<T>(
  recorder: RecordingAuthenticationService,
  fallback: E2eErrorCode,
  operation: () => Promise<T>,
  policyRefusal?: () => E2eError | undefined,
): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof E2eError) throw error;
    // The directory or trust store failed (offline, storage): the caller may retry, as is.
    if (recorder.failures.length > 0) throw recorder.failures[0];
    const refused = recorder.refusals[0];
    if (refused !== undefined) throw new E2eError(refused.code, refused.reason, { cause: error });
    const ours = policyRefusal?.();
    if (ours !== undefined) throw ours;
    const text = error instanceof Error ? error.message : '';
    if (text === 'Desired gen in the past' || text === 'Desired generation too far in the future') {
      throw new E2eError('TOO_OLD', 'the message is outside the retention window of keys', {
        cause: error,
      });
    }
    throw new E2eError(
      fallback,
      fallback === 'TAMPERED' ? 'the message failed authentication' : text,
      {
        cause: error,
      },
    );
  }
}
