import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUsers,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import type { Me } from '@tokki/protocol';

describe.each(testDialects)('profile pictures replaced or removed on %s', (dialect) => {
  let s: TestServer;
  const { call, closeSockets } = testClient(() => s);
  let alice: TestUser, bob: TestUser;

  const setPhoto = async (user: TestUser, color: string): Promise<Me> => {
    const image = await sharp({
      create: { width: 300, height: 200, channels: 3, background: color },
    })
      .png()
      .toBuffer();
    const response = await fetch(`${s.url}/v1/profile/photo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'image/png' },
      body: new Uint8Array(image),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Me;
  };
  const served = async (photoId: string) =>
    Promise.all(
      ['large', 'small'].map(
        async (size) => (await fetch(`${s.url}/v1/photos/${photoId}?size=${size}`)).status,
      ),
    );
  const storedPhotosOf = (userId: string) =>
    s.server.ctx.database.db
      .selectFrom('profile_photos')
      .select('id')
      .where('user_id', '=', userId)
      .execute();

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    [alice, bob] = await signInTestUsers(s.url, ['Alice', 'Bob']);
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('stops serving a picture once it is replaced or removed, and keeps none of its bytes', async () => {
    const first = (await setPhoto(alice, '#f80')).photo!;
    const bobs = (await setPhoto(bob, '#08f')).photo!;
    expect(await served(first)).toEqual([200, 200]);
    // No shared cache may go on serving it after it is removed.
    const response = await fetch(`${s.url}/v1/photos/${first}`);
    expect(response.headers.get('cache-control')).toMatch(/^private\b/);

    const second = (await setPhoto(alice, '#0f8')).photo!;
    expect(await served(first)).toEqual([404, 404]);
    expect(await served(second)).toEqual([200, 200]);
    expect(await storedPhotosOf(alice.userId)).toEqual([{ id: second }]);

    expect((await call('profile.removePhoto', {}, alice)).photo).toBeNull();
    expect(await served(second)).toEqual([404, 404]);
    expect(await storedPhotosOf(alice.userId)).toEqual([]);
    // Removing none is no error; someone else's picture stays.
    expect((await call('profile.removePhoto', {}, alice)).photo).toBeNull();
    expect(await served(bobs)).toEqual([200, 200]);
  });
});
