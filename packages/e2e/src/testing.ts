import {
  createApplicationMessage,
  createCommit,
  createGroup,
  defaultCapabilities,
  defaultLifetime,
  encodeMlsMessage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type CiphersuiteImpl,
  type ClientState,
  type KeyPackage,
  type PrivateKeyPackage,
  type Proposal,
} from 'ts-mls';
import { decodeMlsMessage } from 'ts-mls';
import { generateKeyPackageWithKey } from 'ts-mls/keyPackage.js';

/**
 * Real MLS bytes for tests of what reads them (inspect.ts, the server's delivery service): key
 * packages, a group's commits and application messages, made with ts-mls directly, as any
 * client could make them — including the ones a client must not be able to pass off (another
 * device's credential, another suite's key, a tampered signature). Not for production: the
 * client side is `SecretGroup`.
 */

export type SuiteName = Parameters<typeof getCiphersuiteFromName>[0];

const impls = new Map<SuiteName, Promise<CiphersuiteImpl>>();
const suite = (name: SuiteName = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519') => {
  let impl = impls.get(name);
  if (!impl) impls.set(name, (impl = getCiphersuiteImpl(getCiphersuiteFromName(name))));
  return impl;
};

export interface TestKeyPackage {
  /** The MLSMessage-encoded key package, as uploaded. */
  bytes: Uint8Array;
  publicPackage: KeyPackage;
  privatePackage: PrivateKeyPackage;
}

/** A device with an identity (signature) key pair, making key packages and groups. */
export class TestDevice {
  private constructor(
    readonly userId: string,
    readonly deviceId: string,
    readonly signatureKey: Uint8Array,
    private readonly signKey: Uint8Array,
  ) {}

  static async create(userId: string, deviceId: string): Promise<TestDevice> {
    const { publicKey, signKey } = await (await suite()).signature.keygen();
    return new TestDevice(userId, deviceId, publicKey, signKey);
  }

  /**
   * A key package of this device's key. `identity` overrides the credential (a package that
   * claims to be another device), `suite` the cipher suite (with a fresh key of that suite).
   */
  async keyPackage(
    options: { lastResort?: boolean; identity?: string; suite?: SuiteName } = {},
  ): Promise<TestKeyPackage> {
    const impl = await suite(options.suite);
    const keys = options.suite
      ? await impl.signature.keygen()
      : { publicKey: this.signatureKey, signKey: this.signKey };
    const identity = options.identity ?? `tokki1:${this.userId}:${this.deviceId}`;
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      { credentialType: 'basic', identity: new TextEncoder().encode(identity) },
      defaultCapabilities(),
      defaultLifetime,
      options.lastResort ? [{ extensionType: 0x000a, extensionData: new Uint8Array() }] : [],
      keys,
      impl,
    );
    const bytes = encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_key_package',
      keyPackage: publicPackage,
    });
    return { bytes, publicPackage, privatePackage };
  }

  /** A new group (epoch 0) with this device as its only member. */
  async createGroup(groupId: Uint8Array): Promise<TestGroup> {
    const impl = await suite();
    const own = await this.keyPackage();
    const state = await createGroup(groupId, own.publicPackage, own.privatePackage, [], impl);
    return new TestGroup(state, impl);
  }
}

/** A group as one member holds it: each operation returns the next state. */
export class TestGroup {
  constructor(
    private readonly state: ClientState,
    private readonly impl: CiphersuiteImpl,
  ) {}

  get epoch(): number {
    return Number(this.state.groupContext.epoch);
  }

  get groupId(): Uint8Array {
    return this.state.groupContext.groupId;
  }

  /** The leaf index of the member whose credential is `identity` (`tokki1:<user>:<device>`). */
  leafOf(identity: string): number {
    const index = this.state.ratchetTree.findIndex(
      (node) =>
        node?.nodeType === 'leaf' &&
        node.leaf.credential.credentialType === 'basic' &&
        new TextDecoder().decode(node.leaf.credential.identity) === identity,
    );
    if (index < 0) throw new Error(`No member ${identity}.`);
    return index / 2;
  }

  /** A commit adding the key packages (MLSMessage bytes) and removing the leaves given. */
  async commit(
    options: { add?: Uint8Array[]; removeLeaves?: number[]; publicMessage?: boolean } = {},
  ): Promise<{ commit: Uint8Array; welcome: Uint8Array | undefined; group: TestGroup }> {
    const proposals: Proposal[] = [];
    for (const bytes of options.add ?? []) {
      const decoded = decodeMlsMessage(bytes, 0)?.[0];
      if (decoded?.wireformat !== 'mls_key_package') throw new Error('Not a key package.');
      proposals.push({ proposalType: 'add', add: { keyPackage: decoded.keyPackage } });
    }
    for (const removed of options.removeLeaves ?? [])
      proposals.push({ proposalType: 'remove', remove: { removed } });
    const result = await createCommit(
      { state: this.state, cipherSuite: this.impl },
      {
        extraProposals: proposals,
        ratchetTreeExtension: true,
        ...(options.publicMessage && { wireAsPublicMessage: true }),
      },
    );
    const welcome =
      result.welcome &&
      encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome });
    return {
      commit: encodeMlsMessage(result.commit),
      welcome,
      group: new TestGroup(result.newState, this.impl),
    };
  }

  /** An application message (a PrivateMessage) carrying `plaintext`. */
  async encrypt(plaintext: string): Promise<{ data: Uint8Array; group: TestGroup }> {
    const { newState, privateMessage } = await createApplicationMessage(
      this.state,
      new TextEncoder().encode(plaintext),
      this.impl,
    );
    const data = encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage,
    });
    return { data, group: new TestGroup(newState, this.impl) };
  }
}
