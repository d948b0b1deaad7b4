import { TokkiError } from '@tokki/sdk';
import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/locales/en';
import { groupAddErrorText } from './errors';

const t = ((key: string) => key) as unknown as TFunction;

describe('groupAddErrorText', () => {
  it('says to send an invite link when the server refuses someone who does not know the caller', () => {
    const refused = new TokkiError('FORBIDDEN', 'Only people who have you as a friend…');
    expect(groupAddErrorText(t, refused, 'en')).toBe('errors.notAddable');
    expect(en.errors.notAddable).toMatch(/invite link/);
  });

  it('says anything else as errorText does', () => {
    expect(groupAddErrorText(t, new TokkiError('GROUP_FULL', 'full'), 'en')).toBe(
      'errors.GROUP_FULL',
    );
  });
});
