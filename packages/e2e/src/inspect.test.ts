import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { E2eError } from './errors.js';
import { readKeyPackage, readMessageHeader, readWelcome } from './inspect.js';
import { TestDevice } from './testing.js';

async function refusal(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(E2eError);
    return (error as E2eError).code;
  }
  throw new Error('It was not refused.');
}

describe('readKeyPackage', () => {
  it("reads a device's key package: who, which key, its ref, and last resort", async () => {
    const alice = await TestDevice.create('u_alice', 'd_phone');
    const oneTime = await readKeyPackage((await alice.keyPackage()).bytes);
    expect(oneTime).toMatchObject({ userId: 'u_alice', deviceId: 'd_phone', lastResort: false });
    expect(oneTime.signatureKey).toEqual(alice.signatureKey);
    expect(oneTime.ref).toMatch(/^[0-9a-f]{64}$/);
    const lastResort = await readKeyPackage((await alice.keyPackage({ lastResort: true })).bytes);
    expect(lastResort.lastResort).toBe(true);
    // Each package is its own: another init key, another reference.
    expect(lastResort.ref).not.toBe(oneTime.ref);
  });

  it('refuses a package whose signature does not verify with the key it carries', async () => {
    const alice = await TestDevice.create('u_alice', 'd_phone');
    const bytes = (await alice.keyPackage()).bytes;
    const tampered = bytes.slice();
    tampered[tampered.length - 1]! ^= 0x01; // in the package's signature
    expect(await refusal(() => readKeyPackage(tampered))).toBe('TAMPERED');
  });

  it('refuses another suite, other credentials, and bytes that are not a key package', async () => {
    const alice = await TestDevice.create('u_alice', 'd_phone');
    const p256 = await alice.keyPackage({ suite: 'MLS_128_DHKEMP256_AES128GCM_SHA256_P256' });
    expect(await refusal(() => readKeyPackage(p256.bytes))).toBe('WRONG_SUITE');
    for (const identity of ['alice', 'tokki1:u_alice', 'tokki1::d_phone', 'tokki1:a:b:c']) {
      const odd = await alice.keyPackage({ identity });
      expect(await refusal(() => readKeyPackage(odd.bytes))).toBe('BAD_CREDENTIAL');
    }
    const group = await alice.createGroup(randomBytes(16));
    const { data } = await group.encrypt('안녕');
    expect(await refusal(() => readKeyPackage(data))).toBe('MALFORMED');
  });

  it('refuses garbage, truncated and padded bytes as MALFORMED', async () => {
    const alice = await TestDevice.create('u_alice', 'd_phone');
    const bytes = (await alice.keyPackage()).bytes;
    const inputs = [
      new Uint8Array(),
      randomBytes(300),
      bytes.slice(0, bytes.length - 10),
      bytes.slice(0, 5),
      new Uint8Array([...bytes, 0]),
      new Uint8Array(64 * 1024).fill(0xff),
    ];
    for (const input of inputs)
      expect(await refusal(() => readKeyPackage(input))).toBe('MALFORMED');
  });
});

describe('readMessageHeader', () => {
  it('reads the group, epoch and content type of commits and application messages', async () => {
    const alice = await TestDevice.create('u_alice', 'd_phone');
    const bob = await TestDevice.create('u_bob', 'd_laptop');
    const groupId = randomBytes(16);
    const group = await alice.createGroup(groupId);
    const added = await group.commit({ add: [(await bob.keyPackage()).bytes] });
    expect(readMessageHeader(added.commit)).toEqual({
      wireFormat: 'private',
      groupId: new Uint8Array(groupId),
      epoch: 0,
      contentType: 'commit',
    });
    expect(added.group.epoch).toBe(1);
    const inClear = await added.group.commit({ publicMessage: true });
    expect(readMessageHeader(inClear.commit)).toMatchObject({
      wireFormat: 'public',
      epoch: 1,
      contentType: 'commit',
    });
    const { data } = await inClear.group.encrypt('secret');
    expect(readMessageHeader(data)).toMatchObject({
      wireFormat: 'private',
      epoch: 2,
      contentType: 'application',
    });
    expect(readMessageHeader(data).groupId).toEqual(new Uint8Array(groupId));
  });

  it('refuses a Welcome, a key package, garbage, truncated and padded bytes', async () => {
    const alice = await TestDevice.create('u_alice', 'd_phone');
    const bob = await TestDevice.create('u_bob', 'd_laptop');
    const group = await alice.createGroup(randomBytes(16));
    const bobPackage = (await bob.keyPackage()).bytes;
    const { commit, welcome } = await group.commit({ add: [bobPackage] });
    const inputs = [
      welcome!,
      bobPackage,
      new Uint8Array(),
      randomBytes(200),
      commit.slice(0, commit.length - 1),
      commit.slice(0, 8),
      new Uint8Array([...commit, 1, 2, 3]),
      new Uint8Array(100 * 1024).fill(0x01),
    ];
    for (const input of inputs)
      expect(await refusal(() => readMessageHeader(input))).toBe('MALFORMED');
    expect(readWelcome(welcome!).cipherSuite).toBe('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519');
    for (const input of [commit, bobPackage, welcome!.slice(0, 20), randomBytes(100)])
      expect(await refusal(() => readWelcome(input))).toBe('MALFORMED');
  });
});
