import type { Static } from '@sinclair/typebox';
import { serverMethods } from './server.js';
import { accountMethods } from './accounts.js';
import { friendMethods } from './friends.js';
import { userMethods } from './users.js';
import { chatMethods } from './chats.js';
import { openChatMethods } from './open-chats.js';
import { presenceMethods } from './presence.js';
import { messageMethods } from './messages.js';
import { linkMethods } from './links.js';
import { updateMethods } from './updates.js';
import { fileMethods } from './files.js';
import { secretMethods } from './secret.js';

export { Difference, UpdateEnvelope } from './updates.js';

/**
 * Every API method, once, one file per namespace. The server validates with these schemas on
 * both transports (HTTP `POST /v1/<method>` and WebSocket `req` frames), the SDK takes its types
 * from them and the OpenAPI document is generated from them.
 */
export const methods = {
  ...serverMethods,
  ...accountMethods,
  ...friendMethods,
  ...userMethods,
  ...chatMethods,
  ...openChatMethods,
  ...presenceMethods,
  ...messageMethods,
  ...linkMethods,
  ...updateMethods,
  ...fileMethods,
  ...secretMethods,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodParams<M extends MethodName> = Static<Methods[M]['params']>;
export type MethodResult<M extends MethodName> = Static<Methods[M]['result']>;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
