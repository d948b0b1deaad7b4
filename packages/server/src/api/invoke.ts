import { methods, type MethodName } from '@tokki/protocol';
import type { AppContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { Call } from '../rpc/route.js';
import { handlersOf } from './handlers.js';
import { validate } from './validate.js';

/**
 * Runs one API method for either transport: checks authentication and params against the
 * method's schema, then calls its handler. Both transports see the same errors.
 */
export async function invoke(
  ctx: AppContext,
  method: MethodName,
  call: Call,
  params: unknown,
): Promise<unknown> {
  const spec = methods[method];
  if (spec.auth && !call.principal) {
    throw new ApiError('UNAUTHENTICATED', 'Missing, invalid or revoked device token.');
  }
  const valid = validate(spec.params, params ?? {});
  return handlersOf(ctx).get(method)!(call, valid);
}
