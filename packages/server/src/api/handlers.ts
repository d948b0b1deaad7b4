import { methodNames, type MethodName } from '@tokki/protocol';
import { accountsRoutes } from '../accounts/routes.js';
import { chatsRoutes } from '../chats/routes.js';
import type { AppContext } from '../context.js';
import { friendsRoutes } from '../friends/routes.js';
import { linksRoutes } from '../links/routes.js';
import { mediaRoutes } from '../media/routes.js';
import { messagesRoutes } from '../messages/routes.js';
import { presenceRoutes } from '../presence/routes.js';
import type { Call, Routes } from '../rpc/route.js';
import { secretRoutes } from '../secret/routes.js';
import { updatesRoutes } from '../updates/routes.js';
import { serverInfoRoutes } from './server-info.js';

/** Any method's handler, as `invoke` calls it once the params are checked against its schema. */
export type AnyHandler = (call: Call, params: unknown) => Promise<unknown>;

/** Each domain's routes (its `routes.ts`): together, every protocol method once. */
export function domainRoutes(ctx: AppContext): Partial<Routes<MethodName>>[] {
  return [
    serverInfoRoutes(ctx.config),
    accountsRoutes(ctx.accounts),
    friendsRoutes(ctx.friends),
    chatsRoutes(ctx.chats, ctx.openChats),
    messagesRoutes(ctx.messages, ctx.metrics),
    presenceRoutes(ctx.presence),
    linksRoutes(ctx.links),
    mediaRoutes(ctx.media),
    updatesRoutes(ctx.updates),
    secretRoutes(ctx.secret),
  ];
}

/**
 * One handler per method from the domains' route tables; throws if a method has none or two,
 * so a server with a gap or a clash never starts.
 */
export function composeRoutes(
  tables: readonly Partial<Routes<MethodName>>[],
): Map<MethodName, AnyHandler> {
  const composed = new Map<MethodName, AnyHandler>();
  for (const table of tables) {
    for (const [name, handler] of Object.entries(table)) {
      if (!methodNames.includes(name as MethodName))
        throw new Error(`A handler for ${name}, which the protocol does not have.`);
      if (composed.has(name as MethodName)) throw new Error(`Two handlers for ${name}.`);
      composed.set(name as MethodName, handler as AnyHandler);
    }
  }
  const missing = methodNames.filter((name) => !composed.has(name));
  if (missing.length > 0) throw new Error(`No handler for ${missing.join(', ')}.`);
  return composed;
}

const composedFor = new WeakMap<AppContext, Map<MethodName, AnyHandler>>();

/** The context's handlers, composed on first use. */
export function handlersOf(ctx: AppContext): Map<MethodName, AnyHandler> {
  let handlers = composedFor.get(ctx);
  if (!handlers) composedFor.set(ctx, (handlers = composeRoutes(domainRoutes(ctx))));
  return handlers;
}
