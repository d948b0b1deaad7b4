import type { Device, Me, User } from '@tokki/protocol';
import type { DevicesTable, UsersTable } from '../db/schema.js';

/** A profile as others see it. */
export const toUser = (
  row: Pick<UsersTable, 'id' | 'display_name' | 'status_message' | 'photo_id'>,
): User => ({
  id: row.id,
  displayName: row.display_name,
  statusMessage: row.status_message,
  photo: row.photo_id,
});

/** The caller's own profile. */
export const toMe = (row: UsersTable): Me => ({
  ...toUser(row),
  phone: row.phone,
  tokkiId: row.tokki_id,
});

export const toDevice = (row: DevicesTable, currentDeviceId: string): Device => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  current: row.id === currentDeviceId,
});
