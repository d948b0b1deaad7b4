import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { natsAvailability, natsSkipMessage, shouldTestNats, startNats } from './nats.js';

/** Connects like a NATS client: reads the INFO greeting, then checks PING gets a PONG. */
function talk(port: number): Promise<{ info: Record<string, unknown>; pong: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let pinged = false;
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer from NATS')));
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('NATS closed the connection')));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      const [greeting = '', ...rest] = received.split('\r\n');
      if (rest.length === 0) return;
      if (!greeting.startsWith('INFO ')) return reject(new Error(`not NATS: ${greeting}`));
      if (!pinged) socket.write('CONNECT {"verbose":false}\r\nPING\r\n');
      pinged = true;
      if (rest.includes('PONG')) {
        socket.destroy();
        resolve({ info: JSON.parse(greeting.slice('INFO '.length)), pong: true });
      }
    });
  });
}

const refusesConnections = (port: number) =>
  talk(port).then(
    () => false,
    () => true,
  );

/** nats-server processes listening on the port, found by their command line. */
function natsProcesses(port: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args[0]?.endsWith('nats-server') && args.includes(String(port));
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

async function waitFor(condition: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await condition()); await sleep(50)) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
  }
}

describe.skipIf(!shouldTestNats())('startNats', () => {
  it('starts a NATS server on loopback that greets clients and answers PING', async () => {
    const nats = await startNats();
    try {
      expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
      const { info, pong } = await talk(nats.port);
      expect(info).toMatchObject({ host: '127.0.0.1', port: nats.port });
      expect(info.jetstream).toBeFalsy();
      expect(pong).toBe(true);
    } finally {
      await nats.stop();
    }
    expect(await refusesConnections(nats.port)).toBe(true);
    expect(natsProcesses(nats.port)).toEqual([]);
    await nats.stop(); // twice is harmless
  });

  it('kills and restarts the server on the same port', async () => {
    const nats = await startNats();
    try {
      const before = natsProcesses(nats.port);
      expect(before).toHaveLength(1);
      await nats.kill();
      expect(natsProcesses(nats.port)).toEqual([]);
      expect(await refusesConnections(nats.port)).toBe(true);

      await nats.restart();
      const { info, pong } = await talk(nats.port);
      expect(info.port).toBe(nats.port);
      expect(pong).toBe(true);
      expect(natsProcesses(nats.port)).not.toEqual(before);

      await nats.stop();
      await nats.restart();
      expect((await talk(nats.port)).pong).toBe(true);
    } finally {
      await nats.stop();
      await nats.stop();
    }
    expect(natsProcesses(nats.port)).toEqual([]);
  });

  it('leaves no server behind when the test process is killed', async () => {
    // A child process starts NATS from this source file and is then kill -9ed.
    const script = `
      import { runnerImport } from 'vite';
      const { module } = await runnerImport(process.env.NATS_TS);
      const nats = await module.startNats();
      console.log(nats.port);
      setInterval(() => {}, 60_000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      env: { ...process.env, NATS_TS: fileURLToPath(new URL('nats.ts', import.meta.url)) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      child.once('exit', () => reject(new Error('child exited before starting NATS')));
    });
    expect((await talk(port)).pong).toBe(true);
    child.kill('SIGKILL');
    await waitFor(async () => natsProcesses(port).length === 0 && (await refusesConnections(port)));
  });
});

describe('when nats-server is missing', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('skips the NATS suites outside CI and fails under CI', () => {
    vi.stubEnv('TOKKI_NATS_SERVER', '/nonexistent/nats-server');
    expect(natsAvailability()).toEqual({
      available: false,
      reason: 'TOKKI_NATS_SERVER=/nonexistent/nats-server is not an executable file',
    });
    expect(natsSkipMessage()).toMatch(/apt-get install nats-server.*TOKKI_NATS_SERVER/);
    vi.stubEnv('CI', 'false');
    expect(shouldTestNats()).toBe(false);
    vi.stubEnv('CI', 'true');
    expect(() => shouldTestNats()).toThrow(/nats-server is required when CI=true/);
  });
});
