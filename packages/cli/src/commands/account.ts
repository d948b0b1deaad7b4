import type { Command } from 'commander';
import { formatTime, padEnd } from '../format.js';
import { openSession, type CommonOptions } from './common.js';

/** `tokki whoami` and `tokki devices`. */
export function registerAccount(program: Command): Command[] {
  const whoami = program
    .command('whoami')
    .summary('Show the signed-in user and server')
    .description('Show who the profile is signed in as, and on which server')
    .action(runWhoami);

  const devices = program
    .command('devices')
    .summary('List your signed-in devices')
    .description("List this account's signed-in devices (phones, PCs, CLIs)")
    .action(runDevices);

  return [whoami, devices];
}

async function runWhoami(options: CommonOptions): Promise<void> {
  const { client, profile, profileName, out } = openSession(options);
  const me = await client.call('profile.get', {});
  out.result(
    { ...me, deviceId: profile.deviceId, server: profile.server, profile: profileName },
    () =>
      [
        `${me.displayName} (${me.phone})`,
        `  user     ${me.id}`,
        ...(me.statusMessage ? [`  status   ${me.statusMessage}`] : []),
        `  device   ${profile.deviceId}`,
        `  server   ${profile.server}`,
        `  profile  ${profileName}`,
      ].join('\n'),
  );
}

async function runDevices(options: CommonOptions): Promise<void> {
  const { client, out } = openSession(options);
  const { devices } = await client.call('devices.list', {});
  for (const device of devices) {
    out.result(
      device,
      () =>
        `${device.id}  ${padEnd(device.name, 32)}  last seen ${formatTime(device.lastSeenAt)}` +
        (device.current ? '  (this device)' : ''),
    );
  }
}
