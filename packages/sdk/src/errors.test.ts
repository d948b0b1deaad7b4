import { describe, expect, it } from 'vitest';
import { TokkiError } from './errors.js';

describe('TokkiError.fromBody', () => {
  it("keeps a secret chat's current epoch and the devices to remove", () => {
    const stale = TokkiError.fromBody({ code: 'SECRET_EPOCH_STALE', message: 'stale', epoch: 7 });
    expect(stale).toMatchObject({ code: 'SECRET_EPOCH_STALE', status: 409, epoch: 7 });
    const pending = TokkiError.fromBody({
      code: 'SECRET_REMOVAL_PENDING',
      message: 'remove first',
      deviceIds: ['d1', 'd2'],
    });
    expect(pending.deviceIds).toEqual(['d1', 'd2']);
  });

  it('drops details of the wrong shape instead of trusting them', () => {
    const error = TokkiError.fromBody({
      code: 'SECRET_REMOVAL_PENDING',
      message: 'x',
      epoch: '7',
      deviceIds: ['d1', 2],
    });
    expect(error.epoch).toBeUndefined();
    expect(error.deviceIds).toBeUndefined();
  });
});
