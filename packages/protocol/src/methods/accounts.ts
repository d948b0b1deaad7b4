import { Type } from '@sinclair/typebox';
import { LIMITS } from '../limits.js';
import { Device, Id, Me, TokkiId } from '../models.js';
import { method, Empty, Ok, Params, Phone, Text } from './define.js';

/** Signing in, devices and the caller's own profile. */
export const accountMethods = {
  'auth.requestCode': method({
    auth: false,
    summary: 'Send a sign-in code to a phone number.',
    params: Params({ phone: Phone }),
    result: Type.Object({
      phone: Type.String({ description: 'The number in E.164 form.' }),
      codeLength: Type.Integer(),
      expiresInSeconds: Type.Integer(),
    }),
  }),
  'auth.signIn': method({
    auth: false,
    summary: 'Exchange a code for a device token; creates the account on first sign-in.',
    params: Params({
      phone: Phone,
      code: Type.String({ minLength: 1, maxLength: 16 }),
      deviceName: Type.Optional(Text(LIMITS.DEVICE_NAME_MAX)),
      displayName: Type.Optional(Text(LIMITS.DISPLAY_NAME_MAX)),
    }),
    result: Type.Object({
      token: Type.String(),
      me: Me,
      deviceId: Id,
      newUser: Type.Boolean(),
    }),
  }),
  'auth.signOut': method({
    summary: "Revoke the calling device's token.",
    params: Empty,
    result: Ok,
  }),
  'devices.list': method({
    summary: "The caller's signed-in devices.",
    params: Empty,
    result: Type.Object({ devices: Type.Array(Device) }),
  }),
  'devices.revoke': method({
    summary: 'Sign a device out; its token is refused at once and its WebSocket closed.',
    params: Params({ deviceId: Id }),
    result: Ok,
  }),
  'profile.get': method({
    summary: "The caller's own profile.",
    params: Empty,
    result: Me,
  }),
  'profile.update': method({
    summary: 'Change display name, status message or Tokki ID (null removes it).',
    params: Params({
      displayName: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.DISPLAY_NAME_MAX })),
      statusMessage: Type.Optional(Text(LIMITS.STATUS_MESSAGE_MAX)),
      tokkiId: Type.Optional(Type.Union([TokkiId, Type.Null()])),
    }),
    result: Me,
  }),
  'profile.removePhoto': method({
    summary: 'Remove the profile picture (set one with POST /v1/profile/photo and the image).',
    params: Empty,
    result: Me,
  }),
} as const;
