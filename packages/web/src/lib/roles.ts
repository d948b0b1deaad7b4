import type { Member } from '@tokki/protocol';

export type Role = Member['role'];

const RANK: Record<Role, number> = { owner: 2, admin: 1, member: 0 };

/**
 * Whether `actor` may remove `target` from a group: the owner anyone, an admin plain members
 * (the server's rule, mirrored so that only allowed buttons show; the server still decides).
 */
export function canRemoveMember(actor: Role | undefined, target: Role): boolean {
  return actor !== undefined && actor !== 'member' && RANK[actor] > RANK[target];
}

/** Whether `actor` may make `target` an admin or a plain member again: the owner only. */
export function canChangeRole(actor: Role | undefined, target: Role): boolean {
  return actor === 'owner' && target !== 'owner';
}

/** Whether `actor` may create, reset and turn off the group's invite link. */
export function canManageInvite(actor: Role | undefined): boolean {
  return actor === 'owner' || actor === 'admin';
}
