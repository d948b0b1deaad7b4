import { describe, expect, it } from 'vitest';
import { credentialIdentity, parseCredentialIdentity } from './credential.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('credential identity', () => {
  it("is 'tokki1:<userId>:<deviceId>' in UTF-8 and parses back", () => {
    const identity = credentialIdentity('u_1-A', 'dev-9');
    expect(new TextDecoder().decode(identity)).toBe('tokki1:u_1-A:dev-9');
    expect(parseCredentialIdentity(identity)).toEqual({ userId: 'u_1-A', deviceId: 'dev-9' });
  });

  it.each([
    'tokki2:alice:phone',
    'tokki1:alice',
    'tokki1:alice:phone:extra',
    'tokki1::phone',
    'tokki1:alice:',
    'tokki1:al ice:phone',
    'tokki1:alice:ph.one',
    `tokki1:${'a'.repeat(65)}:phone`,
    ' tokki1:alice:phone',
    'tokki1:alice:phone\n',
    'TOKKI1:alice:phone',
  ])('refuses %j', (text) => {
    expect(parseCredentialIdentity(bytes(text))).toBeUndefined();
  });

  it('refuses bytes that are not UTF-8, and ids that are not protocol ids', () => {
    expect(parseCredentialIdentity(new Uint8Array([0x74, 0xff, 0x3a]))).toBeUndefined();
    expect(parseCredentialIdentity(bytes(`tokki1:${'a'.repeat(64)}:phone`))).toEqual({
      userId: 'a'.repeat(64),
      deviceId: 'phone',
    });
    expect(() => credentialIdentity('alice', 'phone:2')).toThrow(TypeError);
  });
});
