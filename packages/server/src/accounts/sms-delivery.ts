import { setTimeout as sleep } from 'node:timers/promises';
import { SmsSendError } from './sms.js';

export interface DeliveryPolicy {
  /** For one try, answer included. */
  timeoutMs: number;
  tries: number;
}

export interface GatewayAnswer {
  status: number;
  /** The answer's body, parsed when it is JSON, else undefined. */
  json: unknown;
}

/** Waits before the second, third… try: short, so a user waits seconds, not minutes. */
const BACKOFF_MS = [250, 1000, 2000];

/**
 * Sends one request to an SMS gateway, trying again on a 5xx, a 429 (the gateway throttling
 * us, not the user's fault) or a timeout, up to `policy.tries` times. Any other 4xx is the
 * gateway refusing this message, or our credentials: no point trying again. `request` is called anew for each try,
 * so that signatures carry a fresh timestamp. `errorCode` reads the gateway's error code from
 * its error body, for the log.
 */
export async function deliver(
  provider: string,
  policy: DeliveryPolicy,
  request: (signal: AbortSignal) => Promise<Response>,
  errorCode: (json: unknown) => string | undefined,
): Promise<GatewayAnswer> {
  let lastStatus: number | undefined;
  for (let attempt = 0; attempt < policy.tries; attempt++) {
    if (attempt > 0) await sleep(BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)]);
    let answer: GatewayAnswer;
    try {
      const signal = AbortSignal.timeout(policy.timeoutMs);
      const response = await request(signal);
      const text = await response.text();
      answer = { status: response.status, json: parseJson(text) };
    } catch {
      // A timeout or a connection refused or reset: the network's fault, so worth another try.
      // What went wrong is not kept: undici's errors can carry the request.
      lastStatus = undefined;
      continue;
    }
    if (answer.status >= 200 && answer.status < 300) return answer;
    lastStatus = answer.status;
    if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) {
      const kind = answer.status === 401 || answer.status === 403 ? 'unauthorized' : 'rejected';
      throw new SmsSendError(kind, provider, answer.status, errorCode(answer.json));
    }
  }
  throw new SmsSendError('unavailable', provider, lastStatus, undefined);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `value[key]`, if `value` is an object. */
export function member(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** `value[key]` as a string, if `value` is an object that has it as a string or number. */
export function field(value: unknown, key: string): string | undefined {
  const found = member(value, key);
  return typeof found === 'string' || typeof found === 'number' ? String(found) : undefined;
}
