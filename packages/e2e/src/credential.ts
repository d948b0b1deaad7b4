import type { DeviceRef } from '@tokki/protocol';
import type { Credential } from 'ts-mls';

/** A device of a user (the protocol's DeviceRef): who a leaf of a secret chat's group is. */
export type { DeviceRef };

/** The protocol's Id (models.ts `Id`): what a user or device id may be. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const PREFIX = 'tokki1';

export function isId(value: string): boolean {
  return ID.test(value);
}

/** The identity of a device's basic credential: UTF-8 `tokki1:<userId>:<deviceId>` (ADR 008). */
export function credentialIdentity(userId: string, deviceId: string): Uint8Array {
  if (!isId(userId) || !isId(deviceId))
    throw new TypeError('userId and deviceId must be protocol ids');
  return new TextEncoder().encode(`${PREFIX}:${userId}:${deviceId}`);
}

/** Strict: anything but exactly `tokki1:<Id>:<Id>` in valid UTF-8 is undefined. */
export function parseCredentialIdentity(bytes: Uint8Array): DeviceRef | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
  const parts = text.split(':');
  if (parts.length !== 3) return undefined;
  const [prefix, userId, deviceId] = parts as [string, string, string];
  if (prefix !== PREFIX || !isId(userId) || !isId(deviceId)) return undefined;
  return { userId, deviceId };
}

export function basicCredential(userId: string, deviceId: string): Credential {
  return { credentialType: 'basic', identity: credentialIdentity(userId, deviceId) };
}

/** The device a ts-mls credential names, when it is a basic credential of ours. */
export function deviceOfCredential(credential: Credential): DeviceRef | undefined {
  return credential.credentialType === 'basic'
    ? parseCredentialIdentity(credential.identity)
    : undefined;
}
