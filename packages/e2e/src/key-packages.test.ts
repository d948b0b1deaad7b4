import { describe, expect, it } from 'vitest';
import { LIMITS } from '@tokki/protocol';
import {
  decodeMlsMessage,
  encodeMlsMessage,
  generateKeyPackage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
} from 'ts-mls';
import { CAPABILITIES } from './suite.js';
import { basicCredential } from './credential.js';
import { parseCredentialIdentity } from './credential.js';
import { E2eError } from './errors.js';
import { createIdentity, deserializeIdentity, serializeIdentity } from './identity.js';
import {
  decodeKeyPackage,
  generateKeyPackages,
  isLastResort,
  keyPackageRef,
} from './key-packages.js';

describe('device identity', () => {
  it('is an Ed25519 key pair that survives serialization', async () => {
    const identity = await createIdentity('alice', 'phone');
    expect(identity.signaturePublicKey).toHaveLength(32);
    const restored = await deserializeIdentity(serializeIdentity(identity));
    expect(restored).toEqual(identity);
  });

  it('refuses a serialized identity whose halves do not belong together, or that is not one', async () => {
    const one = await createIdentity('alice', 'phone');
    const other = await createIdentity('alice', 'phone');
    const mixed = serializeIdentity({ ...one, signaturePublicKey: other.signaturePublicKey });
    await expect(deserializeIdentity(mixed)).rejects.toMatchObject({ code: 'MALFORMED' });
    await expect(deserializeIdentity(new TextEncoder().encode('{"v":1}'))).rejects.toBeInstanceOf(
      E2eError,
    );
    await expect(createIdentity('alice', 'a:b')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});

describe('key packages', () => {
  it('all carry the one identity key and credential of the device, each with its own ref', async () => {
    const identity = await createIdentity('alice', 'phone');
    const bundles = await generateKeyPackages(identity, 3);
    expect(new Set(bundles.map((bundle) => bundle.ref)).size).toBe(3);
    for (const bundle of bundles) {
      const message = decodeMlsMessage(bundle.publicBytes, 0)?.[0];
      expect(message?.wireformat).toBe('mls_key_package');
      const keyPackage = decodeKeyPackage(bundle.publicBytes);
      expect(keyPackage.cipherSuite).toBe('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519');
      expect(keyPackage.leafNode.signaturePublicKey).toEqual(identity.signaturePublicKey);
      expect(keyPackage.leafNode.credential.credentialType).toBe('basic');
      if (keyPackage.leafNode.credential.credentialType === 'basic') {
        expect(parseCredentialIdentity(keyPackage.leafNode.credential.identity)).toEqual({
          userId: 'alice',
          deviceId: 'phone',
        });
      }
      expect(bundle.ref).toMatch(/^[0-9a-f]{64}$/);
      expect(await keyPackageRef(keyPackage)).toBe(bundle.ref);
      expect(isLastResort(keyPackage)).toBe(false);
      expect(bundle.lastResort).toBe(false);
      expect(bundle.publicBytes.length).toBeLessThanOrEqual(LIMITS.SECRET_KEY_PACKAGE_BYTES_MAX);
    }
  });

  it('marks last-resort packages with the last_resort extension', async () => {
    const identity = await createIdentity('alice', 'phone');
    const [lastResort] = await generateKeyPackages(identity, 1, { lastResort: true });
    expect(lastResort?.lastResort).toBe(true);
    expect(isLastResort(decodeKeyPackage(lastResort!.publicBytes))).toBe(true);
  });

  it('refuses bytes that are no key package', async () => {
    const identity = await createIdentity('alice', 'phone');
    const [bundle] = await generateKeyPackages(identity, 1);
    expect(() => decodeKeyPackage(bundle!.publicBytes.subarray(1))).toThrow(E2eError);
    expect(() => decodeKeyPackage(bundle!.privateBytes)).toThrow(E2eError);
    await expect(generateKeyPackages(identity, 0)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });

  it('refuses a key package of another cipher suite (WRONG_SUITE)', async () => {
    const other = await getCiphersuiteImpl(
      getCiphersuiteFromName('MLS_128_DHKEMP256_AES128GCM_SHA256_P256'),
    );
    const { publicPackage } = await generateKeyPackage(
      basicCredential('alice', 'phone'),
      { ...CAPABILITIES, ciphersuites: ['MLS_128_DHKEMP256_AES128GCM_SHA256_P256'] },
      { notBefore: 0n, notAfter: 2n ** 63n - 1n },
      [],
      other,
    );
    const bytes = encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_key_package',
      keyPackage: publicPackage,
    });
    expect(() => decodeKeyPackage(bytes)).toThrow(expect.objectContaining({ code: 'WRONG_SUITE' }));
  });
});
