import { generateKeyPackageWithKey, type KeyPackage, type PrivateKeyPackage } from 'ts-mls';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { fromBase64, readJsonObject, toBase64, toHex, writeJson } from './bytes.js';
import { basicCredential } from './credential.js';
import { E2eError } from './errors.js';
import type { DeviceIdentity } from './identity.js';
import { decodeWholeMlsMessage, encodeMlsMessage } from './mls-message.js';
import { CAPABILITIES, CIPHER_SUITE, LAST_RESORT_EXTENSION, cipherSuite } from './suite.js';

/** A key package this device made: the public half goes to the server, the private half stays. */
export interface KeyPackageBundle {
  /** The key package as an MLSMessage (wire format mls_key_package): what the server stores. */
  readonly publicBytes: Uint8Array;
  /** The init and encryption private keys with the public package: secret, store encrypted. */
  readonly privateBytes: Uint8Array;
  /** KeyPackageRef (RFC 9420 §5.2, RefHash("MLS 1.0 KeyPackage Reference", ...)) in lowercase hex. */
  readonly ref: string;
  readonly lastResort: boolean;
}

export interface GenerateKeyPackagesOptions {
  /** Mark the packages last-resort (the `last_resort` extension): a server hands one out only when no one-time package is left, and may hand it out again. */
  readonly lastResort?: boolean;
}

/** A lookup of this device's private key package bundles by ref, for joining from a Welcome. */
export type KeyPackageLookup =
  | ReadonlyMap<string, KeyPackageBundle>
  | ((ref: string) => KeyPackageBundle | undefined | Promise<KeyPackageBundle | undefined>);

/** Seconds a key package is valid before and after its creation (clock skew; how long a server keeps it). */
const NOT_BEFORE_SKEW = 60n * 60n;
const LIFETIME = 365n * 24n * 60n * 60n;

/**
 * Makes `count` key packages, all signed by and carrying the device's one identity key (ts-mls's
 * generateKeyPackageWithKey takes our signature key pair instead of making a new one).
 */
export async function generateKeyPackages(
  identity: DeviceIdentity,
  count: number,
  options: GenerateKeyPackagesOptions = {},
): Promise<KeyPackageBundle[]> {
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw new E2eError('INVALID_REQUEST', 'count must be an integer from 1 to 1000');
  }
  const cs = await cipherSuite();
  const now = BigInt(Math.floor(Date.now() / 1000));
  const lifetime = { notBefore: now - NOT_BEFORE_SKEW, notAfter: now + LIFETIME };
  const lastResort = options.lastResort === true;
  const extensions = lastResort
    ? [{ extensionType: LAST_RESORT_EXTENSION, extensionData: new Uint8Array() }]
    : [];
  const bundles: KeyPackageBundle[] = [];
  for (let i = 0; i < count; i += 1) {
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      basicCredential(identity.userId, identity.deviceId),
      CAPABILITIES,
      lifetime,
      extensions,
      { signKey: identity.signaturePrivateKey, publicKey: identity.signaturePublicKey },
      cs,
    );
    const publicBytes = encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_key_package',
      keyPackage: publicPackage,
    });
    bundles.push(
      Object.freeze({
        publicBytes,
        privateBytes: writeJson({
          v: 1,
          keyPackage: toBase64(publicBytes),
          initPrivateKey: toBase64(privatePackage.initPrivateKey),
          hpkePrivateKey: toBase64(privatePackage.hpkePrivateKey),
        }),
        ref: await keyPackageRef(publicPackage),
        lastResort,
      }),
    );
  }
  return bundles;
}

export async function keyPackageRef(keyPackage: KeyPackage): Promise<string> {
  return toHex(await makeKeyPackageRef(keyPackage, (await cipherSuite()).hash));
}

export function isLastResort(keyPackage: KeyPackage): boolean {
  return keyPackage.extensions.some(
    (extension) => extension.extensionType === LAST_RESORT_EXTENSION,
  );
}

/** A key package from its MLSMessage bytes: MALFORMED unless it is one, WRONG_SUITE unless ours. */
export function decodeKeyPackage(bytes: Uint8Array): KeyPackage {
  const message = decodeWholeMlsMessage(bytes);
  if (message.wireformat !== 'mls_key_package')
    throw new E2eError('MALFORMED', 'not a key package');
  if (message.keyPackage.cipherSuite !== CIPHER_SUITE) {
    throw new E2eError('WRONG_SUITE', 'a key package of another cipher suite');
  }
  return message.keyPackage;
}

/** The private half of a bundle, with the identity's signature key that ts-mls wants beside it. */
export function openKeyPackageBundle(
  bundle: KeyPackageBundle,
  identity: DeviceIdentity,
): { keyPackage: KeyPackage; privateKeys: PrivateKeyPackage } {
  const value = readJsonObject(bundle.privateBytes);
  const field = (name: string): Uint8Array | undefined => {
    const text = value?.[name];
    return typeof text === 'string' ? fromBase64(text) : undefined;
  };
  const publicBytes = field('keyPackage');
  const initPrivateKey = field('initPrivateKey');
  const hpkePrivateKey = field('hpkePrivateKey');
  if (
    value?.v !== 1 ||
    publicBytes === undefined ||
    initPrivateKey === undefined ||
    hpkePrivateKey === undefined
  ) {
    throw new E2eError('MALFORMED', 'not a key package bundle');
  }
  const keyPackage = decodeKeyPackage(publicBytes);
  return {
    keyPackage,
    privateKeys: {
      initPrivateKey,
      hpkePrivateKey,
      signaturePrivateKey: identity.signaturePrivateKey,
    },
  };
}
