import type { MethodName, MethodParams, MethodResult, PublicMethodName } from '@tokki/protocol';

/** The device a call is made with, once its token is checked. */
export interface Principal {
  userId: string;
  deviceId: string;
}

/** A WebSocket connection that is told when the presence it watches changes (gateway/session.ts). */
export interface PresenceWatcher {
  readonly watcherUserId: string;
  sendEvent(frame: string): void;
}

/** Who is calling and from where; `principal` is null only for the public (sign-in) methods. */
export interface Call {
  principal: Principal | null;
  ip: string;
  /** The WebSocket connection the call came on; none over HTTP. */
  watcher?: PresenceWatcher;
}

/** A signed-in call. */
export type AuthedCall = Call & { principal: Principal };

/** The methods of one namespace: `Namespace<'friends'>` is every `friends.*` method. */
export type Namespace<N extends string> = Extract<MethodName, `${N}.${string}`>;

/**
 * One method's handler: thin, passing the caller's principal and the params object on to its
 * domain's service (`service.method(principal, params)`), which owns the rules and the
 * authorization checks. Public methods may be called without a principal.
 */
export type Handler<M extends MethodName> = (
  call: M extends PublicMethodName ? Call : AuthedCall,
  params: MethodParams<M>,
) => Promise<MethodResult<M>>;

/** The handlers a domain exports for its methods (its `routes.ts`), one per method. */
export type Routes<M extends MethodName> = { [K in M]: Handler<K> };
