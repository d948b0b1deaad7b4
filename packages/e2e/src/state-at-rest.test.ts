// Issue item 7 with real MLS state: a device's identity and group go through the Node file
// store, and the device that reads them back (as the CLI's next run would) still reads the
// group's next message. Nothing secret sits on disk in the clear.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileStateStore } from '@tokki/e2e/node';
import {
  createIdentity,
  deserializeIdentity,
  generateKeyPackages,
  MemoryTrustStore,
  SecretAuthentication,
  SecretGroup,
  serializeIdentity,
  type DeviceIdentity,
  type KeyDirectory,
} from '@tokki/e2e';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tokki-state-mls-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('MLS state at rest (Node file store)', () => {
  it('keeps a device identity and group encrypted, and the restored device reads on', async () => {
    const keys = new Map<string, Uint8Array>();
    const directory: KeyDirectory = {
      deviceKey: (userId, deviceId) => Promise.resolve(keys.get(`${userId}:${deviceId}`)),
    };
    const authentication = () =>
      new SecretAuthentication({ directory, trust: new MemoryTrustStore() });
    const publish = (identity: DeviceIdentity) =>
      keys.set(`${identity.userId}:${identity.deviceId}`, identity.signaturePublicKey);

    const alice = await createIdentity('alice', 'phone');
    const bob = await createIdentity('bob', 'phone');
    publish(alice);
    publish(bob);
    const [aliceKeyPackage] = await generateKeyPackages(alice, 1);
    const [bobKeyPackage] = await generateKeyPackages(bob, 1);
    const created = await SecretGroup.create(
      alice,
      aliceKeyPackage!,
      new TextEncoder().encode('chat-1'),
      authentication(),
    );
    const added = await created.commit({ add: [bobKeyPackage!.publicBytes] });
    const bobGroup = await SecretGroup.join(
      bob,
      added.welcome!,
      new Map([[bobKeyPackage!.ref, bobKeyPackage!]]),
      authentication(),
    );

    const dir = join(home, 'secret');
    await fileStateStore(dir, { name: 'identity' }).save(serializeIdentity(bob));
    await fileStateStore(dir, { name: 'group-chat-1' }).save(bobGroup.serialize());

    // On disk: envelopes only; neither the private key nor the group state in any encoding.
    const privateKey = Buffer.from(bob.signaturePrivateKey);
    for (const file of await readdir(dir)) {
      if (!file.endsWith('.state')) continue;
      const onDisk = await readFile(join(dir, file));
      expect(onDisk.subarray(0, 4).toString()).toBe('TKS1');
      for (const secret of [privateKey, Buffer.from(privateKey.toString('base64'))]) {
        expect(onDisk.includes(secret)).toBe(false);
      }
      expect(onDisk.includes(Buffer.from('"state"'))).toBe(false);
    }

    // The next run: everything from the store.
    const restoredIdentity = await deserializeIdentity(
      (await fileStateStore(dir, { name: 'identity' }).load())!,
    );
    const restoredGroup = SecretGroup.deserialize(
      (await fileStateStore(dir, { name: 'group-chat-1' }).load())!,
      restoredIdentity,
      authentication(),
    );
    const sent = await added.group.encrypt(new TextEncoder().encode('after the restart'));
    const received = await restoredGroup.process(sent.data);
    expect(received.kind).toBe('application');
    if (received.kind === 'application') {
      expect(new TextDecoder().decode(received.plaintext)).toBe('after the restart');
      expect(received.sender).toEqual({ userId: 'alice', deviceId: 'phone' });
    }
  });
});
