import { testPhone } from '@tokki/dev-env';
import { TokkiClient } from '@tokki/sdk';
import { MemoryStateStore, SecretClient } from '@tokki/sdk/secret';
import { Histogram, type LatencySummary } from '../stats/histogram.js';
import { monotonicMs } from '../stats/clock.js';
import { sleep, withTimeout } from '../stats/limit.js';
import { sampleProcess } from '../stats/proc.js';
import { watchContention, type Contention, type ScenarioContext } from './context.js';

export interface SecretOptions {
  /** 1:1 chats, each with a plain and a secret chat between the same two devices. */
  pairs: number;
  /** Messages each pair sends in each kind of chat, one after another (closed loop). */
  messages: number;
  textLength: number;
  timeoutMs: number;
}

/** One kind of chat's figures over the same pairs and the same number of messages. */
export interface SecretKindReport {
  messages: number;
  /** Delivered (decrypted, for secret) messages ÷ the phase's wall time. */
  msgsPerSec: number;
  /** Send → the other device has it (for secret: decrypted and stored). */
  delivery: LatencySummary;
  /** Server CPU (all threads) per delivered message, µs. */
  serverCpuUsPerMsg: number | null;
  /** This coordinator's CPU (both ends' clients, MLS included) per message, µs. */
  clientCpuUsPerMsg: number;
}

export interface SecretReport {
  pairs: number;
  plain: SecretKindReport;
  secret: SecretKindReport;
  /** Secret messages the receiver never decrypted within the timeout. */
  missing: number;
  contention: Contention;
}

/** One end of a pair: a connected device with its secret-chat client. */
interface End {
  client: TokkiClient;
  secret: SecretClient;
}

/** What the receiving end is waiting for, by the text's unique tag. */
type Waiters = Map<string, () => void>;

/**
 * Secret messages beside plain ones: the same pairs of devices send the same texts through a 1:1
 * chat and through a secret chat, one message at a time per pair, every pair at once. The clients
 * run here (MLS is client work: encrypting, decrypting, storing), so the figures show both what the
 * server spends per message (it only stores and routes a ciphertext) and what the two ends do.
 */
export async function runSecret(
  ctx: ScenarioContext,
  options: SecretOptions,
): Promise<SecretReport> {
  const users = await ctx.users.first(options.pairs * 2);
  ctx.log(`secret: opening ${users.length} devices and ${options.pairs} secret chats`);
  const waiters: Waiters = new Map();
  const ends: End[] = [];
  const chats: { plain: string; secret: string; from: End; to: End }[] = [];
  try {
    for (const user of users) {
      const client = new TokkiClient({ server: ctx.url, token: user.token });
      const { devices } = await client.call('devices.list', {});
      const deviceId = devices.find((d) => d.current)!.id;
      const secret = await SecretClient.open({
        client,
        userId: user.userId,
        deviceId,
        store: new MemoryStateStore(),
        keyPackageTarget: 5,
      });
      client.on('update', ({ update }) => {
        if (update.kind === 'message.new') waiters.get(update.message.text)?.();
      });
      secret.on('message', (message) => {
        if (message.content.type === 'text') waiters.get(message.content.text)?.();
      });
      secret.follow();
      await client.connect();
      ends.push({ client, secret });
    }
    for (let i = 0; i < options.pairs; i++) {
      const from = ends[2 * i]!;
      const to = ends[2 * i + 1]!;
      // The device directory shows friends' devices: each adds the other.
      await from.client.call('friends.add', { phone: testPhone(users[2 * i + 1]!.n).phone });
      await to.client.call('friends.add', { phone: testPhone(users[2 * i]!.n).phone });
      const plain = await from.client.call('chats.createDirect', {
        userId: users[2 * i + 1]!.userId,
      });
      const secretChat = await from.secret.createChat([users[2 * i + 1]!.userId]);
      await withTimeout(
        waitUntil(() => to.secret.chats().some((c) => c.chatId === secretChat && !c.closed)),
        options.timeoutMs,
        'the peer joining a secret chat',
      );
      chats.push({ plain: plain.id, secret: secretChat, from, to });
    }

    const stopWatching = watchContention(ctx);
    ctx.log(`secret: ${options.messages} plain messages per pair`);
    const plain = await phase(ctx, options, waiters, chats.length, async (i, text) => {
      const chat = chats[i]!;
      await chat.from.client.call('messages.send', {
        chatId: chat.plain,
        clientMsgId: text,
        text,
      });
    });
    ctx.log(`secret: ${options.messages} secret messages per pair`);
    const secret = await phase(ctx, options, waiters, chats.length, async (i, text) => {
      const chat = chats[i]!;
      await chat.from.secret.send(chat.secret, text);
    });
    return {
      pairs: options.pairs,
      plain: plain.report,
      secret: secret.report,
      missing: secret.missing,
      contention: stopWatching(),
    };
  } finally {
    for (const end of ends) {
      await end.secret.close();
      end.client.disconnect();
    }
  }
}

/** Sends `messages` texts per pair, each after the previous one arrived; measures the whole. */
async function phase(
  ctx: ScenarioContext,
  options: SecretOptions,
  waiters: Waiters,
  pairs: number,
  send: (pair: number, text: string) => Promise<void>,
): Promise<{ report: SecretKindReport; missing: number }> {
  const delivery = new Histogram();
  let missing = 0;
  const serverBefore = ctx.server.pid === undefined ? undefined : sampleProcess(ctx.server.pid);
  const clientBefore = process.cpuUsage();
  const startedAt = monotonicMs();
  await Promise.all(
    Array.from({ length: pairs }, async (_, pair) => {
      for (let m = 0; m < options.messages; m++) {
        const text = tagged(pair, m, options.textLength);
        const arrived = new Promise<void>((resolve) => waiters.set(text, resolve));
        const sentAt = monotonicMs();
        try {
          await send(pair, text);
          await withTimeout(arrived, options.timeoutMs, `message ${text.slice(0, 16)}`);
          delivery.record(monotonicMs() - sentAt);
        } catch (error) {
          missing++;
          ctx.log(`secret: ${(error as Error).message}`);
        } finally {
          waiters.delete(text);
        }
      }
    }),
  );
  const seconds = (monotonicMs() - startedAt) / 1000;
  const serverAfter = ctx.server.pid === undefined ? undefined : sampleProcess(ctx.server.pid);
  const client = process.cpuUsage(clientBefore);
  const delivered = delivery.count;
  return {
    missing,
    report: {
      messages: delivered,
      msgsPerSec: Math.round(delivered / seconds),
      delivery: delivery.summary(),
      serverCpuUsPerMsg:
        serverBefore && serverAfter && delivered
          ? Math.round(((serverAfter.cpuMs - serverBefore.cpuMs) * 1000) / delivered)
          : null,
      clientCpuUsPerMsg: delivered ? Math.round((client.user + client.system) / delivered) : 0,
    },
  };
}

/** A text unique to its pair and number, padded to the length plain and secret both send. */
function tagged(pair: number, message: number, length: number): string {
  const tag = `b${pair}.${message}.`;
  return tag + 'x'.repeat(Math.max(0, length - tag.length));
}

async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await sleep(20);
}
