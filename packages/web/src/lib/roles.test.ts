import { describe, expect, it } from 'vitest';
import { canChangeRole, canManageInvite, canRemoveMember } from './roles';

describe('group permissions (as the server decides them)', () => {
  it('lets the owner remove anyone else, an admin only plain members, a member no one', () => {
    expect(canRemoveMember('owner', 'admin')).toBe(true);
    expect(canRemoveMember('owner', 'member')).toBe(true);
    expect(canRemoveMember('admin', 'member')).toBe(true);
    expect(canRemoveMember('admin', 'admin')).toBe(false);
    expect(canRemoveMember('admin', 'owner')).toBe(false);
    expect(canRemoveMember('member', 'member')).toBe(false);
    expect(canRemoveMember('owner', 'owner')).toBe(false);
    expect(canRemoveMember(undefined, 'member')).toBe(false);
  });
  it('lets only the owner name admins, and never change the owner', () => {
    expect(canChangeRole('owner', 'member')).toBe(true);
    expect(canChangeRole('owner', 'admin')).toBe(true);
    expect(canChangeRole('owner', 'owner')).toBe(false);
    expect(canChangeRole('admin', 'member')).toBe(false);
    expect(canChangeRole('member', 'member')).toBe(false);
    expect(canChangeRole(undefined, 'member')).toBe(false);
  });
  it('lets the owner and admins manage the invite link', () => {
    expect(canManageInvite('owner')).toBe(true);
    expect(canManageInvite('admin')).toBe(true);
    expect(canManageInvite('member')).toBe(false);
    expect(canManageInvite(undefined)).toBe(false);
  });
});
