import { post } from '@tokki/dev-env';
import type { MethodName, MethodParams, MethodResult } from '@tokki/protocol';

/** One API call over HTTP, as a real client makes it; throws on an error answer. */
export async function callApi<M extends MethodName>(
  url: string,
  token: string,
  method: M,
  params: MethodParams<M>,
): Promise<MethodResult<M>> {
  return (await post(url, method, params, token)) as MethodResult<M>;
}
