import type { AuthenticationService, Credential } from 'ts-mls';
import { bytesEqual } from './bytes.js';
import { deviceOfCredential, type DeviceRef } from './credential.js';
import type { E2eErrorCode } from './errors.js';

/** The server's device list (`secret.devices`): the identity key each device published. */
export interface KeyDirectory {
  deviceKey(userId: string, deviceId: string): Promise<Uint8Array | undefined>;
}

/** This client's memory of the key first seen per device (trust on first use); persist it. */
export interface TrustStore {
  get(userId: string, deviceId: string): Promise<Uint8Array | undefined>;
  set(userId: string, deviceId: string, key: Uint8Array): Promise<void>;
}

/** A known device showed a different identity key than the one this client saw before. */
export interface KeyChange extends DeviceRef {
  readonly oldKey: Uint8Array;
  readonly newKey: Uint8Array;
}

export interface AuthenticationOptions {
  readonly directory: KeyDirectory;
  readonly trust: TrustStore;
  /**
   * Told of every key change, after the new key is recorded, so a UI warns in the chat and clears
   * the contact's verified mark. Return 'refuse' to refuse the new key instead (UNTRUSTED_KEY); the
   * old key is then kept.
   */
  readonly onKeyChange?: (change: KeyChange) => void | 'refuse' | Promise<void | 'refuse'>;
}

export type AuthenticationVerdict =
  | { readonly ok: true; readonly device: DeviceRef }
  | {
      readonly ok: false;
      readonly code: Extract<E2eErrorCode, 'BAD_CREDENTIAL' | 'UNTRUSTED_KEY'>;
      readonly reason: string;
    };

/**
 * Tokki's MLS authentication service (ADR 008). A credential is valid only if it is ours and
 * parses, the key directory lists that device with exactly that signature key, and trust on first
 * use accepts it: the first key seen for a device is remembered; a later different key (the
 * device re-published its identity) is accepted and reported as a key change.
 */
export class SecretAuthentication {
  constructor(private readonly options: AuthenticationOptions) {}

  async check(credential: Credential, signatureKey: Uint8Array): Promise<AuthenticationVerdict> {
    const device = deviceOfCredential(credential);
    if (device === undefined) {
      return { ok: false, code: 'BAD_CREDENTIAL', reason: 'not a tokki1 basic credential' };
    }
    const listed = await this.options.directory.deviceKey(device.userId, device.deviceId);
    if (listed === undefined) {
      return {
        ok: false,
        code: 'BAD_CREDENTIAL',
        reason: 'the key directory does not list this device',
      };
    }
    if (!bytesEqual(listed, signatureKey)) {
      return {
        ok: false,
        code: 'BAD_CREDENTIAL',
        reason: 'the key directory lists another key for this device',
      };
    }
    const known = await this.options.trust.get(device.userId, device.deviceId);
    if (known === undefined) {
      await this.options.trust.set(device.userId, device.deviceId, signatureKey);
    } else if (!bytesEqual(known, signatureKey)) {
      const change: KeyChange = { ...device, oldKey: known, newKey: signatureKey };
      if ((await this.options.onKeyChange?.(change)) === 'refuse') {
        return { ok: false, code: 'UNTRUSTED_KEY', reason: 'a changed key was refused' };
      }
      await this.options.trust.set(device.userId, device.deviceId, signatureKey);
    }
    return { ok: true, device };
  }

  /**
   * A ts-mls AuthenticationService over this one that remembers its refusals, so that the error
   * ts-mls throws after a refusal can be told apart and reported with our code.
   */
  recording(): RecordingAuthenticationService {
    const refusals: Extract<AuthenticationVerdict, { ok: false }>[] = [];
    const failures: unknown[] = [];
    return {
      refusals,
      failures,
      validateCredential: async (credential, signatureKey) => {
        let verdict: AuthenticationVerdict;
        try {
          verdict = await this.check(credential, signatureKey);
        } catch (error) {
          failures.push(error);
          throw error;
        }
        if (!verdict.ok) refusals.push(verdict);
        return verdict.ok;
      },
    };
  }
}

export interface RecordingAuthenticationService extends AuthenticationService {
  readonly refusals: readonly Extract<AuthenticationVerdict, { ok: false }>[];
  /** What the directory or trust store threw (the network, storage): not a verdict on the bytes. */
  readonly failures: readonly unknown[];
}

/** A TrustStore in memory; `entries()` and the constructor let a caller persist and restore it. */
export class MemoryTrustStore implements TrustStore {
  private readonly keys = new Map<string, Uint8Array>();

  constructor(entries: Iterable<readonly [DeviceRef, Uint8Array]> = []) {
    for (const [device, key] of entries) this.keys.set(keyOf(device.userId, device.deviceId), key);
  }

  get(userId: string, deviceId: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.keys.get(keyOf(userId, deviceId)));
  }

  set(userId: string, deviceId: string, key: Uint8Array): Promise<void> {
    this.keys.set(keyOf(userId, deviceId), key);
    return Promise.resolve();
  }

  entries(): [DeviceRef, Uint8Array][] {
    return [...this.keys].map(([joined, key]) => {
      const [userId = '', deviceId = ''] = joined.split(':');
      return [{ userId, deviceId }, key];
    });
  }
}

/** Ids never contain ':' (the protocol's Id pattern), so it separates them unambiguously. */
const keyOf = (userId: string, deviceId: string): string => `${userId}:${deviceId}`;
