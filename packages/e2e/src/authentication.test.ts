import { describe, expect, it } from 'vitest';
import { MemoryTrustStore, SecretAuthentication, type KeyChange } from './authentication.js';
import { basicCredential } from './credential.js';

const key = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);

function service(listed: Record<string, Uint8Array>, refuse = false) {
  const trust = new MemoryTrustStore();
  const changes: KeyChange[] = [];
  const auth = new SecretAuthentication({
    directory: {
      deviceKey: (userId, deviceId) => Promise.resolve(listed[`${userId}:${deviceId}`]),
    },
    trust,
    onKeyChange: (change) => {
      changes.push(change);
      return refuse ? 'refuse' : undefined;
    },
  });
  return { auth, trust, changes };
}

describe('SecretAuthentication', () => {
  it('accepts a device the directory lists with exactly that key, and remembers the key', async () => {
    const { auth, trust, changes } = service({ 'alice:phone': key(1) });
    expect(await auth.check(basicCredential('alice', 'phone'), key(1))).toEqual({
      ok: true,
      device: { userId: 'alice', deviceId: 'phone' },
    });
    expect(await trust.get('alice', 'phone')).toEqual(key(1));
    expect(await auth.check(basicCredential('alice', 'phone'), key(1))).toMatchObject({ ok: true });
    expect(changes).toEqual([]);
  });

  it('refuses what does not parse, an unlisted device and a key the directory does not list', async () => {
    const { auth, trust } = service({ 'alice:phone': key(1) });
    const bad = { credentialType: 'basic' as const, identity: new TextEncoder().encode('alice') };
    expect(await auth.check(bad, key(1))).toMatchObject({ ok: false, code: 'BAD_CREDENTIAL' });
    expect(await auth.check(basicCredential('alice', 'laptop'), key(1))).toMatchObject({
      ok: false,
      code: 'BAD_CREDENTIAL',
    });
    expect(await auth.check(basicCredential('alice', 'phone'), key(2))).toMatchObject({
      ok: false,
      code: 'BAD_CREDENTIAL',
    });
    expect(trust.entries()).toEqual([]);
  });

  it('reports a changed key of a known device with the old and the new key, then trusts the new one', async () => {
    const listed = { 'alice:phone': key(1) };
    const { auth, trust, changes } = service(listed);
    await auth.check(basicCredential('alice', 'phone'), key(1));
    listed['alice:phone'] = key(2);
    expect(await auth.check(basicCredential('alice', 'phone'), key(2))).toMatchObject({ ok: true });
    expect(changes).toEqual([
      { userId: 'alice', deviceId: 'phone', oldKey: key(1), newKey: key(2) },
    ]);
    expect(await trust.get('alice', 'phone')).toEqual(key(2));
    await auth.check(basicCredential('alice', 'phone'), key(2));
    expect(changes).toHaveLength(1);
  });

  it('refuses a changed key when the caller says so (UNTRUSTED_KEY) and keeps the old one', async () => {
    const listed = { 'alice:phone': key(1) };
    const { auth, trust } = service(listed, true);
    await auth.check(basicCredential('alice', 'phone'), key(1));
    listed['alice:phone'] = key(2);
    expect(await auth.check(basicCredential('alice', 'phone'), key(2))).toMatchObject({
      ok: false,
      code: 'UNTRUSTED_KEY',
    });
    expect(await trust.get('alice', 'phone')).toEqual(key(1));
  });

  it('keeps the first key per device apart from other devices, and restores from entries()', async () => {
    const { auth, trust } = service({ 'alice:phone': key(1), 'alice:laptop': key(3) });
    await auth.check(basicCredential('alice', 'phone'), key(1));
    await auth.check(basicCredential('alice', 'laptop'), key(3));
    const restored = new MemoryTrustStore(trust.entries());
    expect(await restored.get('alice', 'phone')).toEqual(key(1));
    expect(await restored.get('alice', 'laptop')).toEqual(key(3));
    expect(await restored.get('bob', 'phone')).toBeUndefined();
  });
});
