import { Type } from '@sinclair/typebox';
import { LIMITS } from '../limits.js';
import { Friend, Id, Recommendation, TokkiId, User } from '../models.js';
import { method, Empty, Ok, Params, Phone, Text } from './define.js';

/** The address book and friends. */
export const friendMethods = {
  'contacts.sync': method({
    summary:
      "Add entries to, or remove them from, the caller's address book on the server. Contacts who use Tokki become friends.",
    params: Params({
      add: Type.Optional(
        Type.Array(
          Type.Object(
            { phone: Phone, name: Type.Optional(Text(LIMITS.CONTACT_NAME_MAX)) },
            { additionalProperties: false },
          ),
          { maxItems: LIMITS.CONTACTS_PER_CALL_MAX },
        ),
      ),
      remove: Type.Optional(Type.Array(Phone, { maxItems: LIMITS.CONTACTS_PER_CALL_MAX })),
    }),
    result: Type.Object({
      /** New entries (numbers counted against the daily discovery limit). */
      added: Type.Integer(),
      /** Entries already there whose name changed. */
      renamed: Type.Integer(),
      removed: Type.Integer(),
      /** Entries that are not phone numbers, by their index in `add` or `remove`; nothing stored. */
      rejected: Type.Array(
        Type.Object({
          list: Type.Union([Type.Literal('add'), Type.Literal('remove')]),
          index: Type.Integer(),
          reason: Type.String(),
        }),
      ),
      /** Friends this sync made. */
      friendsAdded: Type.Array(Friend),
    }),
  }),
  'friends.list': method({
    summary: "The caller's friends, hidden ones included (blocked users are not friends).",
    params: Empty,
    result: Type.Object({ friends: Type.Array(Friend) }),
  }),
  'friends.add': method({
    summary: 'Add a friend by phone number or by Tokki ID (counts against the discovery limit).',
    params: Params({ phone: Type.Optional(Phone), tokkiId: Type.Optional(TokkiId) }),
    result: Friend,
  }),
  'friends.addById': method({
    summary: 'Add a user the caller already knows by id (a recommendation, a chat member).',
    params: Params({ userId: Id }),
    result: Friend,
  }),
  'friends.update': method({
    summary: 'Favourite or hide a friend, or rename them for the caller.',
    params: Params({
      userId: Id,
      favorite: Type.Optional(Type.Boolean()),
      hidden: Type.Optional(Type.Boolean()),
      contactName: Type.Optional(
        Type.Union([
          Type.String({ minLength: 1, maxLength: LIMITS.CONTACT_NAME_MAX }),
          Type.Null(),
        ]),
      ),
    }),
    result: Friend,
  }),
  'friends.recommended': method({
    summary: "Users who have the caller's number but are not the caller's friends.",
    params: Empty,
    result: Type.Object({ recommendations: Type.Array(Recommendation) }),
  }),
  'friends.dismiss': method({
    summary: 'Never recommend this user again.',
    params: Params({ userId: Id }),
    result: Ok,
  }),
  'friends.block': method({
    summary:
      'Block a user: no messages or new chats from them, no profile changes to them. They are not told.',
    params: Params({ userId: Id }),
    result: Ok,
  }),
  'friends.unblock': method({
    summary: 'Unblock a user; a former friend is a friend again.',
    params: Params({ userId: Id }),
    result: Ok,
  }),
  'friends.blocked': method({
    summary: 'The users the caller blocked.',
    params: Empty,
    result: Type.Object({ users: Type.Array(User) }),
  }),
} as const;
