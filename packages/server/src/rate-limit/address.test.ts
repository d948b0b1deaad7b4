import { describe, expect, it } from 'vitest';
import { addressKey } from './address.js';

describe('addressKey', () => {
  it('keeps an IPv4 address whole, and reads an IPv4-mapped one as IPv4', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('keys an IPv6 address by its /64, however it is written', () => {
    expect(addressKey('2001:db8:7:9::1')).toBe('2001:db8:7:9::/64');
    expect(addressKey('2001:0DB8:0007:0009:ffff:1:2:3')).toBe('2001:db8:7:9::/64');
    expect(addressKey('2001:db8:7:a::1')).toBe('2001:db8:7:a::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('passes through what is not an address', () => {
    expect(addressKey('unknown')).toBe('unknown');
  });
});
