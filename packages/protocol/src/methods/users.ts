import { Type } from '@sinclair/typebox';
import { LIMITS } from '../limits.js';
import { Id, User } from '../models.js';
import { method, Params, Phone } from './define.js';

/** Other users' profiles. */
export const userMethods = {
  'users.get': method({
    summary: 'Public profiles by id.',
    params: Params({
      userIds: Type.Array(Id, { minItems: 1, maxItems: LIMITS.USERS_PER_CALL_MAX }),
    }),
    result: Type.Object({ users: Type.Array(User) }),
  }),
  'users.lookupPhone': method({
    summary: 'Find the user with a phone number, to start a chat.',
    params: Params({ phone: Phone }),
    result: Type.Object({ user: Type.Union([User, Type.Null()]) }),
  }),
} as const;
