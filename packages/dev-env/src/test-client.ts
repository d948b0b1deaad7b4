import type {
  MethodName,
  MethodResult,
  PublicMethodName,
  Update,
  UpdateFrame,
  UpdateKind,
} from '@tokki/protocol';
import { RawSocket, type Frame } from './raw-socket.js';
import { post, type TestUser } from './server.js';

type UpdateOf<K extends UpdateKind> = Extract<Update, { kind: K }>;

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
    /** A connected socket; with `pts`, it resumes from there as a returning device does. */
    live: async (user: TestUser, pts?: number) => {
      const socket = await RawSocket.connect(server().url, user.token, pts);
      sockets.push(socket);
      return socket;
    },
    /** The first update of this kind that `match` accepts, already received or still to come. */
    update: async <K extends UpdateKind>(
      socket: RawSocket,
      kind: K,
      match: (update: UpdateOf<K>) => boolean = () => true,
    ) => {
      const isWanted = (update: Update): update is UpdateOf<K> => update.kind === kind;
      const frame = await socket.waitFor((f) => {
        const update = updateIn(f);
        return update !== undefined && isWanted(update) && match(update);
      });
      return frame as UpdateFrame & { update: UpdateOf<K> };
    },
    /** The updates the socket got so far, live or in a catch-up batch, in order. */
    updates: (socket: RawSocket) => socket.updates().map((envelope) => envelope.update),
    /** A call without a token, as of a device not signed in yet. */
    callPublic: <M extends PublicMethodName>(method: M, params: unknown) =>
      post(server().url, method, params) as Promise<MethodResult<M>>,
    closeSockets: () => {
      for (const socket of sockets) socket.ws.terminate();
    },
  };
}

const updateIn = (frame: Frame) => (frame.type === 'update' ? frame.update : undefined);
