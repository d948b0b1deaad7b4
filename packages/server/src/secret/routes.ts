import type { Namespace, Routes } from '../rpc/route.js';
import type { SecretService } from './service.js';

/** Secret chats' delivery service; each service method takes the caller's principal and params. */
export function secretRoutes(secret: SecretService): Routes<Namespace<'secret'>> {
  /** The answer of a method that only changes something. */
  const ok = async (change: Promise<void>) => {
    await change;
    return {};
  };
  return {
    'secret.publishIdentity': ({ principal }, p) => ok(secret.publishIdentity(principal, p)),
    'secret.devices': async ({ principal }, p) => ({
      devices: await secret.devices(principal, p),
    }),
    'secret.uploadKeyPackages': async ({ principal }, p) => ({
      remaining: await secret.uploadKeyPackages(principal, p),
    }),
    'secret.claimKeyPackages': async ({ principal }, p) => ({
      keyPackages: await secret.claimKeyPackages(principal, p),
    }),
    'secret.create': ({ principal }, p) => secret.create(principal, p),
    'secret.group': ({ principal }, p) => secret.group(principal, p),
    'secret.commit': ({ principal }, p) => secret.commit(principal, p),
    'secret.send': ({ principal }, p) => secret.send(principal, p),
    'secret.ack': ({ principal }, p) => ok(secret.ack(principal, p)),
  };
}
