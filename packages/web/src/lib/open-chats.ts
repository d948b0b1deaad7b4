import { LIMITS } from '@tokki/protocol';

/** Why a nickname for an open chat cannot be used, before it is sent. */
export type NicknameProblem = 'blank' | 'tooLong';

/**
 * A room nickname as the server takes it: trimmed, not blank, at most `NICKNAME_MAX`
 * characters (code points, so a Korean or an emoji nickname counts as a person reads it).
 */
export function nicknameProblem(nickname: string): NicknameProblem | undefined {
  const trimmed = nickname.trim();
  if (!trimmed) return 'blank';
  if ([...trimmed].length > LIMITS.NICKNAME_MAX) return 'tooLong';
  return undefined;
}

export const MEMBER_LIMIT_MIN = 2;

/** The member limit typed into a form: a whole number from 2 to 3,000, else undefined. */
export function parseMemberLimit(typed: string): number | undefined {
  const digits = typed.trim().replace(/[,\s]/g, '');
  if (!/^\d+$/.test(digits)) return undefined;
  const limit = Number(digits);
  return limit >= MEMBER_LIMIT_MIN && limit <= LIMITS.GROUP_MEMBERS_MAX ? limit : undefined;
}
