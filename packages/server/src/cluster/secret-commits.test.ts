// Issue 16, acceptance 4 on the server's side: two members commit a secret chat's group at the
// same epoch through two nodes on one PostgreSQL, and one commit wins — the compare-and-set on
// the group's epoch, not a node's memory, orders them. Ciphertexts cross nodes like updates.
import { randomBytes } from 'node:crypto';
import {
  shouldTestNats,
  shouldTestPostgres,
  signInTestUser,
  startNats,
  startTestServer,
  testClient,
  type RunningNats,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import { TestDevice } from '@tokki/e2e/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLUSTER = shouldTestPostgres() && shouldTestNats();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe.skipIf(!CLUSTER)('secret commits across two nodes', () => {
  let nats: RunningNats;
  let a: TestServer;
  let b: TestServer;
  const onA = testClient(() => a);
  const onB = testClient(() => b);

  beforeAll(async () => {
    nats = await startNats();
    a = await startTestServer({ dialect: 'postgres', config: { busUrl: nats.url } });
    b = await startTestServer({ sharing: a, config: { busUrl: nats.url } });
  });

  afterAll(async () => {
    onA.closeSockets();
    onB.closeSockets();
    await b?.close();
    await a?.close();
    await nats?.stop();
  });

  it('lets one of two commits for the same epoch win, round after round', async () => {
    const alice = await signInTestUser(a.url, 1);
    const bob = await signInTestUser(b.url, 2);
    const aliceMls = await TestDevice.create(alice.userId, alice.deviceId);
    const bobMls = await TestDevice.create(bob.userId, bob.deviceId);
    await onA.call('secret.publishIdentity', { signatureKey: b64(aliceMls.signatureKey) }, alice);
    await onB.call('secret.publishIdentity', { signatureKey: b64(bobMls.signatureKey) }, bob);
    await onA.call('chats.createDirect', { userId: bob.userId }, alice);
    // Claims through both nodes at once never get the same one-time package.
    const packages = await Promise.all(
      Array.from({ length: 6 }, async () => b64((await bobMls.keyPackage()).bytes)),
    );
    await onB.call('secret.uploadKeyPackages', { keyPackages: packages }, bob);
    const claims = await Promise.all(
      [onA, onB, onA, onB, onA].map((on) =>
        on.call('secret.claimKeyPackages', { userIds: [bob.userId] }, alice),
      ),
    );
    const handed = claims.map((c) => c.keyPackages[0]!.keyPackage);
    expect(new Set(handed).size).toBe(5);
    expect(handed.every((k) => packages.includes(k))).toBe(true);
    const groupId = randomBytes(16);
    const chat = await onA.call('secret.create', { groupId: b64(groupId) }, alice);
    let group = await aliceMls.createGroup(groupId);
    const [claimed] = (await onA.call('secret.claimKeyPackages', { userIds: [bob.userId] }, alice))
      .keyPackages;
    const added = await group.commit({ add: [Buffer.from(claimed!.keyPackage, 'base64')] });
    group = added.group;
    await onA.call(
      'secret.commit',
      {
        chatId: chat.id,
        epoch: 0,
        commit: b64(added.commit),
        welcome: b64(added.welcome!),
        adds: [{ userId: bob.userId, deviceId: bob.deviceId }],
        removes: [],
      },
      alice,
    );
    const bobSocket = await onB.live(bob);

    for (let epoch = 1; epoch <= 5; epoch++) {
      // Both commits are of this epoch of this group: all the server reads is their header.
      const fromAlice = await group.commit();
      const fromBob = await group.commit();
      const commit = (user: TestUser, on: typeof onA, bytes: Uint8Array) =>
        on.call(
          'secret.commit',
          { chatId: chat.id, epoch, commit: b64(bytes), adds: [], removes: [] },
          user,
        );
      const outcomes = await Promise.allSettled([
        commit(alice, onA, fromAlice.commit),
        commit(bob, onB, fromBob.commit),
      ]);
      const won = outcomes.findIndex((o) => o.status === 'fulfilled');
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect((outcomes[1 - won] as PromiseRejectedResult).reason).toMatchObject({
        code: 'SECRET_EPOCH_STALE',
        epoch: epoch + 1,
      });
      // The winner's commit reaches Bob on node B, whichever node took it.
      const winning = won === 0 ? fromAlice : fromBob;
      const got = await onB.update(bobSocket, 'secret.commit', (u) => u.epoch === epoch + 1);
      expect(got.update.data).toBe(b64(winning.commit));
      group = winning.group;
    }
    expect((await onB.call('secret.group', { chatId: chat.id }, bob)).epoch).toBe(6);

    // A ciphertext sent through node A reaches Bob on node B live.
    const { data } = await group.encrypt('두 노드');
    const { seq } = await onA.call(
      'secret.send',
      { chatId: chat.id, epoch: 6, data: b64(data) },
      alice,
    );
    const message = await onB.update(bobSocket, 'secret.message', (u) => u.seq === seq);
    expect(message.update.data).toBe(b64(data));
  });
});
