// `npm run cluster` (scripts/cluster.mjs, run on the build): three nodes on a private
// PostgreSQL and NATS that answer, carry a message from one node to another, and stop on Ctrl-C
// leaving nothing behind.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { shouldTestNats } from './nats.js';
import { shouldTestPostgres } from './postgres.js';
import { RawSocket } from './raw-socket.js';
import { testClient } from './test-client.js';
import { post, signInTestUser } from './server.js';
import { freePort } from './free-port.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/cluster.mjs', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, output: () => output };
}

describe.skipIf(!(shouldTestPostgres() && shouldTestNats()))(
  'npm run cluster',
  { timeout: 90_000 },
  () => {
    let data: string | undefined;
    afterAll(async () => {
      if (data) await rm(data, { recursive: true, force: true });
    });

    it('starts three nodes that make one Tokki, and stops them all on Ctrl-C', async () => {
      data = await mkdtemp(join(tmpdir(), 'tokki-cluster-'));
      // As root the script runs PostgreSQL as the postgres user, who must reach its directory.
      await chmod(data, 0o755);
      const ports = [await freePort(), await freePort(), await freePort()];
      const cluster = run(['--data', data, '--ports', ports.join(',')]);
      const deadline = Date.now() + 60_000;
      while (!cluster.output().includes('Tokki cluster ready')) {
        if (Date.now() > deadline) throw new Error(`not ready:\n${cluster.output()}`);
        if (cluster.child.exitCode !== null) throw new Error(`exited:\n${cluster.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const urls = ports.map((port) => `http://127.0.0.1:${port}`);
      for (const url of urls) expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect(cluster.output()).toContain(`http://localhost:${ports[1]}`);

      const alice = await signInTestUser(urls[0]!, 1);
      const bob = await signInTestUser(urls[2]!, 2);
      const bobs = await RawSocket.connect(urls[2]!, bob.token);
      const chat = (await post(
        urls[0]!,
        'chats.createDirect',
        { userId: bob.userId },
        alice.token,
      )) as {
        id: string;
      };
      await post(
        urls[0]!,
        'messages.send',
        { chatId: chat.id, clientMsgId: 'm', text: '안녕' },
        alice.token,
      );
      const update = await testClient(() => ({ url: urls[2]! })).update(bobs, 'message.new');
      expect(update.update.message.text).toBe('안녕');
      bobs.ws.terminate();

      cluster.child.kill('SIGINT');
      expect(await cluster.exited).toBe(0);
      for (const url of urls) await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    });

    it('refuses ports that are not ports, saying so', async () => {
      const cluster = run(['--ports', '80a,2']);
      expect(await cluster.exited).toBe(1);
      expect(cluster.output()).toContain('--ports takes ports separated by commas');
    });
  },
);
