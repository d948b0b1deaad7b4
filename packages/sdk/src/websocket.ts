/**
 * The part of the WebSocket API the SDK uses. The browser's `WebSocket` and the `ws` package's
 * `WebSocket` both provide it.
 */
export interface WebSocketLike {
  readonly readyState: number;
  // Handlers are only ever assigned by the SDK; `never` lets each implementation's own event types
  // fit. What they receive is described by MessageEventLike and CloseEventLike.
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** What `onmessage` receives: text frames arrive as strings. */
export interface MessageEventLike {
  data: unknown;
}

/** What `onclose` receives. */
export interface CloseEventLike {
  code: number;
  reason: string;
}

/** A WebSocket class: `globalThis.WebSocket` in browsers, `ws` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` of an open socket (the same in every implementation). */
export const WEBSOCKET_OPEN = 1;

let nodeWebSocket: Promise<WebSocketConstructor> | undefined;

/**
 * The WebSocket class to use: the one given, else the platform's, else `ws`, imported only when
 * needed so that browser bundles never load it.
 *
 * @example const WebSocket = await resolveWebSocket(undefined)
 */
export async function resolveWebSocket(
  given: WebSocketConstructor | undefined,
): Promise<WebSocketConstructor> {
  if (given) return given;
  const platform = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (platform) return platform;
  nodeWebSocket ??= import('ws').then(
    (module) => module.default as unknown as WebSocketConstructor,
  );
  return nodeWebSocket;
}

/**
 * The WebSocket URL of a Tokki server: `http(s)://host/base` becomes `ws(s)://host/base/v1/ws`.
 *
 * @example webSocketUrl('https://tokki.example') // 'wss://tokki.example/v1/ws'
 */
export function webSocketUrl(server: string): string {
  return `${trimSlashes(server).replace(/^http/i, 'ws')}/v1/ws`;
}

/**
 * The HTTP URL of a method: `POST {server}/v1/{method}`.
 *
 * @example methodUrl('https://tokki.example', 'chats.list')
 */
export function methodUrl(server: string, method: string): string {
  return `${trimSlashes(server)}/v1/${method}`;
}

function trimSlashes(server: string): string {
  return server.replace(/\/+$/, '');
}
