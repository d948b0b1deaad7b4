import { generateKeyPackages, type KeyPackageBundle } from '@tokki/e2e';
import { LIMITS } from '@tokki/protocol';
import { toBase64 } from './bytes.js';
import type { SecretDevice } from './device.js';

/** Keeps `keyPackageTarget` one-time key packages and a last-resort one on the server. */
export async function topUp(device: SecretDevice, target: number): Promise<void> {
  const { remaining } = await device.client.call('secret.uploadKeyPackages', { keyPackages: [] });
  const count = Math.max(0, target - remaining);
  const hasLastResort = Object.values(device.state.keyPackages).some((k) => k.lastResort);
  if (count === 0 && hasLastResort) {
    device.topUpWanted = false;
    return;
  }
  const oneTime = count > 0 ? await generateKeyPackages(device.identity, count, {}) : [];
  const lastResort = hasLastResort
    ? undefined
    : (await generateKeyPackages(device.identity, 1, { lastResort: true }))[0];
  // The private halves first: a package the server hands out must be usable by this device.
  for (const bundle of oneTime) keep(device, bundle, false);
  if (lastResort) keep(device, lastResort, true);
  await device.save();
  await device.client.call('secret.uploadKeyPackages', {
    keyPackages: oneTime.map((b) => toBase64(b.publicBytes)),
    ...(lastResort && { lastResort: toBase64(lastResort.publicBytes) }),
  });
  device.topUpWanted = false;
}

function keep(device: SecretDevice, bundle: KeyPackageBundle, lastResort: boolean): void {
  if (lastResort) {
    for (const [ref, stored] of Object.entries(device.state.keyPackages)) {
      if (stored.lastResort) delete device.state.keyPackages[ref];
    }
  }
  device.state.keyPackages[bundle.ref] = {
    publicBytes: toBase64(bundle.publicBytes),
    privateBytes: toBase64(bundle.privateBytes),
    lastResort,
  };
  // The server keeps a device's newest SECRET_KEY_PACKAGES_MAX; claimed ones wait here for their
  // Welcome a while longer, but not for ever: the oldest go first.
  const oneTime = Object.keys(device.state.keyPackages).filter(
    (ref) => !device.state.keyPackages[ref]?.lastResort,
  );
  const excess = oneTime.length - 2 * LIMITS.SECRET_KEY_PACKAGES_MAX;
  for (const ref of oneTime.slice(0, Math.max(0, excess))) delete device.state.keyPackages[ref];
}
