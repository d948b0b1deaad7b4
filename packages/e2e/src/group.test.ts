import { describe, expect, it } from 'vitest';
import { LIMITS } from '@tokki/protocol';
import {
  MemoryTrustStore,
  SecretAuthentication,
  type KeyChange,
  type KeyDirectory,
} from './authentication.js';
import type { DeviceRef } from './credential.js';
import { E2eError, type E2eErrorCode } from './errors.js';
import { createIdentity, type DeviceIdentity } from './identity.js';
import { generateKeyPackages, type KeyPackageBundle } from './key-packages.js';
import { SecretGroup, type ProcessResult } from './group.js';
import { decodeContent, encodeContent } from './content.js';

/** The server's device list, as `secret.devices` would answer it. */
class Directory implements KeyDirectory {
  readonly keys = new Map<string, Uint8Array>();
  deviceKey(userId: string, deviceId: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.keys.get(`${userId}:${deviceId}`));
  }
  publish(identity: DeviceIdentity): void {
    this.keys.set(`${identity.userId}:${identity.deviceId}`, identity.signaturePublicKey);
  }
}

interface Device {
  identity: DeviceIdentity;
  auth: SecretAuthentication;
  keyChanges: KeyChange[];
  keyPackages: KeyPackageBundle[];
}

async function device(
  directory: Directory,
  userId: string,
  deviceId: string,
  options: { refuseKeyChanges?: boolean; publish?: boolean; ownDirectory?: KeyDirectory } = {},
): Promise<Device> {
  const identity = await createIdentity(userId, deviceId);
  if (options.publish !== false) directory.publish(identity);
  const keyChanges: KeyChange[] = [];
  const auth = new SecretAuthentication({
    directory: options.ownDirectory ?? directory,
    trust: new MemoryTrustStore(),
    onKeyChange: (change) => {
      keyChanges.push(change);
      return options.refuseKeyChanges === true ? 'refuse' : undefined;
    },
  });
  return { identity, auth, keyChanges, keyPackages: await generateKeyPackages(identity, 2) };
}

const groupId = (name: string): Uint8Array => new TextEncoder().encode(name);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const read = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const ref = (device: Device): DeviceRef => ({
  userId: device.identity.userId,
  deviceId: device.identity.deviceId,
});

async function create(owner: Device, name = 'chat-1'): Promise<SecretGroup> {
  return SecretGroup.create(owner.identity, owner.keyPackages[0]!, groupId(name), owner.auth);
}

async function join(joiner: Device, welcome: Uint8Array | undefined): Promise<SecretGroup> {
  if (welcome === undefined) throw new Error('no Welcome');
  return SecretGroup.join(
    joiner.identity,
    welcome,
    new Map(joiner.keyPackages.map((kp) => [kp.ref, kp])),
    joiner.auth,
  );
}

async function expectRefusal(promise: Promise<unknown>, code: E2eErrorCode): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(E2eError);
  expect((error as E2eError).code).toBe(code);
}

function application(result: ProcessResult): {
  text: string;
  sender: DeviceRef;
  group: SecretGroup;
} {
  if (result.kind !== 'application')
    throw new Error(`expected an application message, got ${result.kind}`);
  return { text: read(result.plaintext), sender: result.sender, group: result.group };
}

function commitOf(result: ProcessResult): Extract<ProcessResult, { kind: 'commit' }> {
  if (result.kind !== 'commit') throw new Error(`expected a commit, got ${result.kind}`);
  return result;
}

/** Two users, three devices: alice's phone created the group and added her laptop and bob's phone. */
async function threeDevices() {
  const directory = new Directory();
  const alicePhone = await device(directory, 'alice', 'phone');
  const aliceLaptop = await device(directory, 'alice', 'laptop');
  const bobPhone = await device(directory, 'bob', 'phone');
  const created = await create(alicePhone);
  const added = await created.commit({
    add: [aliceLaptop.keyPackages[0]!.publicBytes, bobPhone.keyPackages[0]!.publicBytes],
  });
  return {
    directory,
    devices: { alicePhone, aliceLaptop, bobPhone },
    groups: {
      alicePhone: added.group,
      aliceLaptop: await join(aliceLaptop, added.welcome),
      bobPhone: await join(bobPhone, added.welcome),
    },
  };
}

describe('SecretGroup', () => {
  it('carries messages in both directions between three devices of two users', async () => {
    const { groups } = await threeDevices();
    expect(groups.alicePhone.epoch).toBe(1);
    expect(groups.bobPhone.epoch).toBe(1);
    expect(groups.aliceLaptop.members().map((m) => `${m.userId}:${m.deviceId}`)).toEqual([
      'alice:phone',
      'alice:laptop',
      'bob:phone',
    ]);

    const fromAlice = await groups.alicePhone.encrypt(text('hi bob'));
    const atBob = application(await groups.bobPhone.process(fromAlice.data));
    expect(atBob.text).toBe('hi bob');
    expect(atBob.sender).toEqual({ userId: 'alice', deviceId: 'phone' });
    const atLaptop = application(await groups.aliceLaptop.process(fromAlice.data));
    expect(atLaptop.text).toBe('hi bob');

    const fromBob = await atBob.group.encrypt(text('hi alice'));
    const atAlice = application(await fromAlice.group.process(fromBob.data));
    expect(atAlice.text).toBe('hi alice');
    expect(atAlice.sender).toEqual({ userId: 'bob', deviceId: 'phone' });
    expect(application(await atLaptop.group.process(fromBob.data)).text).toBe('hi alice');
  });

  it('pads short messages to one size class, so the server cannot tell their lengths apart', async () => {
    const { groups } = await threeDevices();
    const short = await groups.alicePhone.encrypt(text('ok'));
    const longer = await short.group.encrypt(text('a sentence of some more words than the first'));
    expect(longer.data.length).toBe(short.data.length);
    const big = await longer.group.encrypt(text('x'.repeat(2000)));
    expect(big.data.length).toBeGreaterThan(short.data.length);
  });

  it('encrypts the longest text within the size the server accepts', async () => {
    const { groups } = await threeDevices();
    const longest = encodeContent({
      type: 'text',
      text: '😀'.repeat(LIMITS.MESSAGE_TEXT_MAX),
      timer: 604_800,
    });
    const sent = await groups.alicePhone.encrypt(longest);
    expect(sent.data.length).toBeLessThanOrEqual(LIMITS.SECRET_MESSAGE_BYTES_MAX);
    const atBob = await groups.bobPhone.process(sent.data);
    expect(atBob.kind === 'application' && decodeContent(atBob.plaintext)).toEqual(
      decodeContent(longest),
    );
    await expectRefusal(
      sent.group.encrypt(new Uint8Array(LIMITS.SECRET_MESSAGE_BYTES_MAX)),
      'INVALID_REQUEST',
    );
  });

  it('adds a device that then reads the group, and every member learns who was added', async () => {
    const { directory, groups } = await threeDevices();
    const bobLaptop = await device(directory, 'bob', 'laptop');
    const added = await groups.bobPhone.commit({ add: [bobLaptop.keyPackages[1]!.publicBytes] });
    const atAlice = commitOf(await groups.alicePhone.process(added.commit));
    expect(atAlice.added).toEqual([ref(bobLaptop)]);
    expect(atAlice.removed).toEqual([]);
    expect(atAlice.sender).toEqual({ userId: 'bob', deviceId: 'phone' });
    const laptop = await join(bobLaptop, added.welcome);
    expect(laptop.epoch).toBe(atAlice.group.epoch);

    const sent = await atAlice.group.encrypt(text('welcome, laptop'));
    expect(application(await laptop.process(sent.data)).text).toBe('welcome, laptop');
  });

  it('removes a device, which afterwards reads nothing: a typed error, never plaintext', async () => {
    const { groups, devices } = await threeDevices();
    const removal = await groups.alicePhone.commit({ remove: [ref(devices.aliceLaptop)] });
    const atBob = commitOf(await groups.bobPhone.process(removal.commit));
    expect(atBob.removed).toEqual([ref(devices.aliceLaptop)]);
    expect(atBob.group.members().map((m) => m.deviceId)).toEqual(['phone', 'phone']);

    // The removed device processes its own removal and knows it is out…
    const removed = commitOf(await groups.aliceLaptop.process(removal.commit));
    expect(removed.removed).toEqual([ref(devices.aliceLaptop)]);
    expect(removed.group.active).toBe(false);

    const after = await removal.group.encrypt(text('the laptop must not read this'));
    expect(application(await atBob.group.process(after.data)).text).toBe(
      'the laptop must not read this',
    );
    await expectRefusal(removed.group.process(after.data), 'NOT_MEMBER');
    await expectRefusal(removed.group.encrypt(text('still here?')), 'NOT_MEMBER');
    // …and one that never saw the removal is an epoch behind and cannot read the new epoch either.
    await expectRefusal(groups.aliceLaptop.process(after.data), 'WRONG_EPOCH');
  });

  it('a self-update moves every member to the same new epoch authenticator', async () => {
    const { groups } = await threeDevices();
    const before = groups.alicePhone.epochAuthenticator();
    expect(groups.bobPhone.epochAuthenticator()).toEqual(before);
    const update = await groups.bobPhone.commit({ update: true });
    const atAlice = commitOf(await groups.alicePhone.process(update.commit));
    const atLaptop = commitOf(await groups.aliceLaptop.process(update.commit));
    expect(atAlice.added).toEqual([]);
    expect(atAlice.removed).toEqual([]);
    const after = update.group.epochAuthenticator();
    expect(after).not.toEqual(before);
    expect(atAlice.group.epochAuthenticator()).toEqual(after);
    expect(atLaptop.group.epochAuthenticator()).toEqual(after);
    expect(atAlice.group.epoch).toBe(2);
  });

  it('two commits in one epoch: the one the server took wins, the other fails and is made again', async () => {
    const { groups } = await threeDevices();
    const byAlice = await groups.alicePhone.commit({ update: true });
    const byBob = await groups.bobPhone.commit({ update: true });
    // The server took Alice's. Everyone applies it; Bob's commit then belongs to a past epoch.
    const laptop = commitOf(await groups.aliceLaptop.process(byAlice.commit)).group;
    await expectRefusal(laptop.process(byBob.commit), 'WRONG_EPOCH');
    await expectRefusal(byAlice.group.process(byBob.commit), 'WRONG_EPOCH');
    // Alice's own commit coming back is recognised as already seen.
    await expectRefusal(byAlice.group.process(byAlice.commit), 'REPLAY');

    // Bob kept his group from before his refused commit, applies Alice's and commits again.
    const bob = commitOf(await groups.bobPhone.process(byAlice.commit)).group;
    const again = await bob.commit({ update: true });
    const alice = commitOf(await byAlice.group.process(again.commit)).group;
    const laptopNow = commitOf(await laptop.process(again.commit)).group;
    expect(again.group.epoch).toBe(3);
    expect(alice.epochAuthenticator()).toEqual(again.group.epochAuthenticator());
    expect(laptopNow.epochAuthenticator()).toEqual(again.group.epochAuthenticator());
  });

  it('serializes and continues where it left off', async () => {
    const { devices, groups } = await threeDevices();
    const first = await groups.alicePhone.encrypt(text('one'));
    const bob = application(await groups.bobPhone.process(first.data)).group;

    const restoredBob = SecretGroup.deserialize(
      bob.serialize(),
      devices.bobPhone.identity,
      devices.bobPhone.auth,
    );
    const restoredAlice = SecretGroup.deserialize(
      first.group.serialize(),
      devices.alicePhone.identity,
      devices.alicePhone.auth,
    );
    expect(restoredBob.epoch).toBe(bob.epoch);
    expect(restoredBob.epochAuthenticator()).toEqual(bob.epochAuthenticator());
    // What was processed before the restart is still known as processed.
    await expectRefusal(restoredBob.process(first.data), 'REPLAY');

    const second = await restoredAlice.encrypt(text('two'));
    expect(application(await restoredBob.process(second.data)).text).toBe('two');
    const update = await restoredBob.commit({ update: true });
    const alice = commitOf(await second.group.process(update.commit)).group;
    expect(alice.epochAuthenticator()).toEqual(update.group.epochAuthenticator());

    await expectRefusal(
      Promise.resolve().then(() =>
        SecretGroup.deserialize(
          bob.serialize(),
          devices.alicePhone.identity,
          devices.alicePhone.auth,
        ),
      ),
      'MALFORMED',
    );
    await expectRefusal(
      Promise.resolve().then(() =>
        SecretGroup.deserialize(text('{"v":1}'), devices.bobPhone.identity, devices.bobPhone.auth),
      ),
      'MALFORMED',
    );
  });
});

describe('SecretGroup refusals', () => {
  it('refuses a message of another group (WRONG_GROUP)', async () => {
    const { devices, groups } = await threeDevices();
    const other = await create(devices.alicePhone, 'chat-2');
    const inOther = await other.encrypt(text('elsewhere'));
    await expectRefusal(groups.alicePhone.process(inOther.data), 'WRONG_GROUP');
  });

  it('refuses messages of a later epoch and commits of an earlier one (WRONG_EPOCH)', async () => {
    const { groups } = await threeDevices();
    const update = await groups.alicePhone.commit({ update: true });
    const later = await update.group.encrypt(text('from epoch 2'));
    await expectRefusal(groups.bobPhone.process(later.data), 'WRONG_EPOCH');
    const bob = commitOf(await groups.bobPhone.process(update.commit)).group;
    expect(application(await bob.process(later.data)).text).toBe('from epoch 2');
    const stale = await groups.aliceLaptop.commit({ update: true });
    await expectRefusal(bob.process(stale.commit), 'WRONG_EPOCH');
  });

  it('refuses the same ciphertext twice (REPLAY), own messages included', async () => {
    const { groups } = await threeDevices();
    const sent = await groups.alicePhone.encrypt(text('once'));
    const bob = application(await groups.bobPhone.process(sent.data)).group;
    await expectRefusal(bob.process(sent.data), 'REPLAY');
    await expectRefusal(sent.group.process(sent.data), 'REPLAY');
  });

  it('reads out of order inside the retention window and refuses beyond it (TOO_OLD)', async () => {
    const { groups } = await threeDevices();
    let alice = groups.alicePhone;
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 70; i += 1) {
      const result = await alice.encrypt(text(`message ${i}`));
      sent.push(result.data);
      alice = result.group;
    }
    let bob = application(await groups.bobPhone.process(sent[69]!)).group;
    await expectRefusal(bob.process(sent[0]!), 'TOO_OLD');
    const late = application(await bob.process(sent[10]!));
    expect(late.text).toBe('message 10');
    bob = late.group;

    // A message of an earlier epoch is read while its epoch's keys are kept (4 epochs), not after.
    const early = await alice.encrypt(text('sent before the commits'));
    let laptop = groups.aliceLaptop;
    let bobNow = bob;
    const beforeCommits = { bob, laptop };
    for (let i = 0; i < 5; i += 1) {
      const update = await alice.commit({ update: true });
      alice = update.group;
      bobNow = commitOf(await bobNow.process(update.commit)).group;
      laptop = commitOf(await laptop.process(update.commit)).group;
      if (i === 0) {
        expect(application(await bobNow.process(early.data)).text).toBe('sent before the commits');
      }
    }
    expect(beforeCommits.laptop.epoch).toBe(1);
    await expectRefusal(laptop.process(early.data), 'TOO_OLD');
  });

  it('refuses changed bytes (TAMPERED) and bytes that are no MLS message (MALFORMED)', async () => {
    const { groups, devices } = await threeDevices();
    const sent = await groups.alicePhone.encrypt(text('do not touch'));
    const lastByte = sent.data.slice();
    lastByte[lastByte.length - 1]! ^= 1;
    await expectRefusal(groups.bobPhone.process(lastByte), 'TAMPERED');
    const middle = sent.data.slice();
    middle[Math.floor(middle.length / 2)]! ^= 0x40;
    await expectRefusal(groups.bobPhone.process(middle), 'TAMPERED');
    const update = await groups.alicePhone.commit({ update: true });
    const commit = update.commit.slice();
    commit[commit.length - 3]! ^= 2;
    await expectRefusal(groups.bobPhone.process(commit), 'TAMPERED');
    // Nothing changed: the untouched originals still work.
    expect(application(await groups.bobPhone.process(sent.data)).text).toBe('do not touch');

    await expectRefusal(groups.bobPhone.process(new Uint8Array([1, 2, 3])), 'MALFORMED');
    await expectRefusal(
      groups.bobPhone.process(sent.data.subarray(0, sent.data.length - 1)),
      'MALFORMED',
    );
    await expectRefusal(groups.bobPhone.process(new Uint8Array([...sent.data, 0])), 'MALFORMED');
    await expectRefusal(
      groups.bobPhone.process(devices.aliceLaptop.keyPackages[1]!.publicBytes),
      'MALFORMED',
    );
  });

  it('refuses a credential whose key the directory does not list for that device (BAD_CREDENTIAL)', async () => {
    const { directory, groups, devices } = await threeDevices();
    // A key package that claims to be alice's tablet but is signed with her phone's key.
    const impostor = await generateKeyPackages(
      { ...devices.alicePhone.identity, deviceId: 'tablet' },
      1,
    );
    directory.publish(await createIdentity('alice', 'tablet'));
    await expectRefusal(
      groups.bobPhone.commit({ add: [impostor[0]!.publicBytes] }),
      'BAD_CREDENTIAL',
    );
    // A device the directory does not list at all.
    const unlisted = await device(directory, 'carol', 'phone', { publish: false });
    await expectRefusal(
      groups.bobPhone.commit({ add: [unlisted.keyPackages[0]!.publicBytes] }),
      'BAD_CREDENTIAL',
    );
  });

  it("refuses a commit that adds a device with another device's key, from a member whose directory lied", async () => {
    const { directory, groups, devices } = await threeDevices();
    const eve = await device(directory, 'eve', 'phone');
    const posingAsBob = await generateKeyPackages(
      { ...eve.identity, userId: 'bob', deviceId: 'tablet' },
      1,
    );
    directory.publish(await createIdentity('bob', 'tablet'));
    // alice's laptop believes a directory that lists eve's key for bob's tablet.
    const lying = new Directory();
    for (const [key, value] of directory.keys) lying.keys.set(key, value);
    lying.keys.set('bob:tablet', eve.identity.signaturePublicKey);
    const fooled = new SecretAuthentication({ directory: lying, trust: new MemoryTrustStore() });
    const laptop = SecretGroup.deserialize(
      groups.aliceLaptop.serialize(),
      devices.aliceLaptop.identity,
      fooled,
    );
    const bad = await laptop.commit({ add: [posingAsBob[0]!.publicBytes] });
    await expectRefusal(groups.bobPhone.process(bad.commit), 'BAD_CREDENTIAL');
    await expectRefusal(groups.alicePhone.process(bad.commit), 'BAD_CREDENTIAL');
  });

  it('reports a key change, and refuses it (UNTRUSTED_KEY) where the caller says so', async () => {
    const { directory, groups, devices } = await threeDevices();
    const carol = await device(directory, 'carol', 'phone', { refuseKeyChanges: true });
    const withCarol = await groups.alicePhone.commit({ add: [carol.keyPackages[0]!.publicBytes] });
    const carolGroup = await join(carol, withCarol.welcome);
    const bob = commitOf(await groups.bobPhone.process(withCarol.commit)).group;
    const laptop = commitOf(await groups.aliceLaptop.process(withCarol.commit)).group;

    // Bob's phone was wiped: a new identity key for the same device, published to the directory.
    const oldKey = devices.bobPhone.identity.signaturePublicKey;
    const newBobPhone = await device(directory, 'bob', 'phone');
    const readd = await withCarol.group.commit({
      remove: [ref(devices.bobPhone)],
      add: [newBobPhone.keyPackages[0]!.publicBytes],
    });
    const change = {
      userId: 'bob',
      deviceId: 'phone',
      oldKey,
      newKey: newBobPhone.identity.signaturePublicKey,
    };
    expect(devices.alicePhone.keyChanges).toEqual([change]);

    const atLaptop = commitOf(await laptop.process(readd.commit));
    expect(atLaptop.removed).toEqual([{ userId: 'bob', deviceId: 'phone' }]);
    expect(atLaptop.added).toEqual([{ userId: 'bob', deviceId: 'phone' }]);
    expect(devices.aliceLaptop.keyChanges).toEqual([change]);
    const newBob = await join(newBobPhone, readd.welcome);
    const hello = await newBob.encrypt(text('new phone, same bob'));
    expect(application(await atLaptop.group.process(hello.data)).text).toBe('new phone, same bob');

    // Carol's client refuses changed keys: the commit is refused and her group stays as it was.
    await expectRefusal(carolGroup.process(readd.commit), 'UNTRUSTED_KEY');
    expect(carol.keyChanges).toEqual([change]);
    expect(carolGroup.epoch).toBe(2);
    void bob;
  });

  it('lets a failing key directory fail as it is, not as a verdict on the message, and retries', async () => {
    const { directory, groups, devices } = await threeDevices();
    const carol = await device(directory, 'carol', 'phone');
    const added = await groups.alicePhone.commit({ add: [carol.keyPackages[0]!.publicBytes] });
    const offline = new Error('directory offline');
    let online = false;
    const flaky = new SecretAuthentication({
      directory: {
        deviceKey: (userId, deviceId) =>
          online ? directory.deviceKey(userId, deviceId) : Promise.reject(offline),
      },
      trust: new MemoryTrustStore(),
    });
    const bob = SecretGroup.deserialize(
      groups.bobPhone.serialize(),
      devices.bobPhone.identity,
      flaky,
    );
    await expect(bob.process(added.commit)).rejects.toBe(offline);
    online = true;
    expect(commitOf(await bob.process(added.commit)).added).toEqual([ref(carol)]);
  });

  it('refuses a commit by a non-member, even one holding a GroupInfo (NOT_MEMBER)', async () => {
    const { directory, groups, devices } = await threeDevices();
    const mallory = await device(directory, 'mallory', 'phone');
    const external = await externalCommit(groups.alicePhone, devices.alicePhone, mallory);
    await expectRefusal(groups.bobPhone.process(external), 'NOT_MEMBER');
    await expectRefusal(groups.bobPhone.commit({ remove: [ref(mallory)] }), 'NOT_MEMBER');
  });

  it('refuses requests it cannot make into a commit', async () => {
    const { directory, groups, devices } = await threeDevices();
    await expectRefusal(groups.alicePhone.commit({}), 'INVALID_REQUEST');
    await expectRefusal(
      groups.alicePhone.commit({ remove: [ref(devices.alicePhone)] }),
      'INVALID_REQUEST',
    );
    await expectRefusal(
      groups.alicePhone.commit({ add: [devices.bobPhone.keyPackages[1]!.publicBytes] }),
      'INVALID_REQUEST',
    );
    const many = await Promise.all(
      Array.from({ length: LIMITS.SECRET_ADDS_PER_COMMIT_MAX + 1 }, async (_, i) => {
        const extra = await device(directory, 'crowd', `d${i}`);
        return extra.keyPackages[0]!.publicBytes;
      }),
    );
    await expectRefusal(groups.alicePhone.commit({ add: many }), 'INVALID_REQUEST');
    await expectRefusal(groups.alicePhone.commit({ add: [new Uint8Array([0, 1])] }), 'MALFORMED');
    await expectRefusal(
      join(devices.aliceLaptop, (await groups.alicePhone.commit({ add: [many[0]!] })).welcome),
      'NO_MATCHING_KEY_PACKAGE',
    );
  });
});

/** Ids as long as the server makes them (`u_` / `d_` and 16 characters, ids.ts). */
const serverLikeId = (prefix: 'u' | 'd', n: number): string =>
  `${prefix}_${String(n).padStart(16, '0')}`;

describe('a large secret group', () => {
  // CPU-heavy (hundreds of signatures and HPKE operations): a generous timeout for a busy machine.
  it(
    'is built by commits of at most 20 adds up to SECRET_GROUP_DEVICES_MAX, and a message reaches the last device',
    { timeout: 600_000 },
    async () => {
      const started = performance.now();
      const directory = new Directory();
      const owner = await device(directory, serverLikeId('u', 0), serverLikeId('d', 0));
      let group = await create(owner);
      let early: SecretGroup | undefined;
      let last: { device: Device; welcome: Uint8Array | undefined } | undefined;
      const handshakeBytes: number[] = [];
      let next = 1;
      while (next < LIMITS.SECRET_GROUP_DEVICES_MAX) {
        // The small batch first, so the last commit adds 20 to an almost full group: the largest Welcome.
        const batch = LIMITS.SECRET_ADDS_PER_COMMIT_MAX;
        const count = next === 1 ? (LIMITS.SECRET_GROUP_DEVICES_MAX - 1) % batch || batch : batch;
        const joiners = await Promise.all(
          Array.from({ length: count }, (_, i) =>
            device(directory, serverLikeId('u', next + i), serverLikeId('d', next + i)),
          ),
        );
        next += count;
        const added = await group.commit({
          add: joiners.map((joiner) => joiner.keyPackages[0]!.publicBytes),
        });
        handshakeBytes.push(added.commit.length + (added.welcome?.length ?? 0));
        group = added.group;
        // The first device added follows every later commit, as a member does.
        early =
          early === undefined
            ? await join(joiners[0]!, added.welcome)
            : commitOf(await early.process(added.commit)).group;
        last = { device: joiners.at(-1)!, welcome: added.welcome };
      }
      expect(group.members()).toHaveLength(LIMITS.SECRET_GROUP_DEVICES_MAX);
      // What the server will accept for one commit and its Welcome.
      for (const bytes of handshakeBytes)
        expect(bytes).toBeLessThanOrEqual(LIMITS.SECRET_HANDSHAKE_BYTES_MAX);
      const built = performance.now();
      const lastDevice = await join(last!.device, last!.welcome);
      const joined = performance.now();
      const sent = await group.encrypt(text('to everyone'));
      expect(application(await lastDevice.process(sent.data)).text).toBe('to everyone');
      expect(application(await early!.process(sent.data)).text).toBe('to everyone');
      expect(lastDevice.epochAuthenticator()).toEqual(group.epochAuthenticator());
      console.info(
        `${LIMITS.SECRET_GROUP_DEVICES_MAX} devices: built in ${Math.round(built - started)} ms, the last joined in ` +
          `${Math.round(joined - built)} ms, a message read in ${Math.round(performance.now() - joined)} ms; ` +
          `commit + Welcome bytes per batch: ${handshakeBytes.join(', ')}`,
      );
    },
  );
});

/** An external commit (RFC 9420 §12.4.3.2) by someone who got hold of a GroupInfo with external_pub. */
async function externalCommit(
  group: SecretGroup,
  owner: Device,
  outsider: Device,
): Promise<Uint8Array> {
  const {
    decodeGroupState,
    createGroupInfoWithExternalPubAndRatchetTree,
    joinGroupExternal,
    encodeMlsMessage,
  } = await import('ts-mls');
  const { cipherSuite } = await import('./suite.js');
  const { openKeyPackageBundle } = await import('./key-packages.js');
  const { fromBase64, readJsonObject } = await import('./bytes.js');
  const stored = readJsonObject(group.serialize())?.state;
  const state = decodeGroupState(fromBase64(String(stored))!, 0)![0];
  const cs = await cipherSuite();
  const config = {
    ...(await import('ts-mls/clientConfig.js')).defaultClientConfig,
    authService: owner.auth.recording(),
  };
  const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(
    { ...state, clientConfig: config },
    [],
    cs,
  );
  const own = openKeyPackageBundle(outsider.keyPackages[0]!, outsider.identity);
  const { publicMessage } = await joinGroupExternal(
    groupInfo,
    own.keyPackage,
    own.privateKeys,
    false,
    cs,
  );
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_public_message', publicMessage });
}
