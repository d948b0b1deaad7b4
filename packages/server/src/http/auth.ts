import type { FastifyRequest } from 'fastify';
import type { Principal } from '../rpc/route.js';
import type { AppContext } from '../context.js';

/** The device behind `Authorization: Bearer <token>`, or UNAUTHENTICATED. */
export async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
  return ctx.accounts.authenticate(token);
}
