import type { MethodName, MethodResult } from '@tokki/protocol';
import { RawSocket } from './raw-socket.js';
import { post, type TestUser } from './server.js';

/**
 * What a server test does as its users: API calls over HTTP, live WebSockets, and waiting for an
 * update on one. `server` is read at each call, so a suite can make this before its `beforeAll`
 * starts the server; `closeSockets` ends every socket it opened (for `afterAll`). A call's answer
 * has its method's result type; its params are not checked, so a test can send bad input.
 */
export function testClient(server: () => { url: string }) {
  const sockets: RawSocket[] = [];
  return {
    call: <M extends MethodName>(method: M, params: unknown, user: TestUser) =>
      post(server().url, method, params, user.token) as Promise<MethodResult<M>>,
    live: async (user: TestUser) => {
      const socket = await RawSocket.connect(server().url, user.token);
      sockets.push(socket);
      return socket;
    },
    /** The first update of this kind the socket got, or the next one to come. */
    update: (socket: RawSocket, kind: string) =>
      socket.waitFor((f) => f.type === 'update' && (f.update as { kind?: string }).kind === kind),
    closeSockets: () => {
      for (const socket of sockets) socket.ws.terminate();
    },
  };
}
