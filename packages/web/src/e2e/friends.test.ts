// Friends in two browsers against a real server (issue #5, acceptance 6): a recommendation
// arrives live, adding it makes a friend, profile edits (name, status, picture) show up live in
// the other browser; adding by Tokki ID or number with translated errors; favourite, hide and
// block from the profile view.
import { post, signInTestUser, testPhone } from '@tokki/dev-env';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/locales/en';
import {
  browserSuitesAvailable,
  newPhoneContext,
  openTab,
  signInThroughUi,
  useServerAndBrowser,
  watch,
} from './helpers';
import { testPhoto } from './photo';

const browserSuites = browserSuitesAvailable();

/** A row in one section of the friend list: recommended, favorites, friends. */
function friendRow(page: Page, section: string, name: string) {
  return page.locator(`.section-${section} .friend-row-item`, {
    has: page.locator('.friend-row-name', { hasText: name }),
  });
}

/** Opens my own profile's editing screen from the Friends tab. */
async function editMyProfile(page: Page): Promise<void> {
  await page.locator('.my-profile .friend-row').click();
  await page.locator('.profile-screen .action-edit').click();
  await page.locator('.edit-profile input[name="displayName"]').waitFor();
}

describe.skipIf(!browserSuites)('web app: friends', () => {
  const suite = useServerAndBrowser();

  it(
    'shows a recommendation live, makes a friend of it, and shows profile edits live',
    {
      timeout: 60_000,
    },
    async () => {
      const url = suite.server.url;
      const alice = await newPhoneContext(suite.browser);
      const bob = await newPhoneContext(suite.browser);
      try {
        const a = await alice.newPage();
        const b = await bob.newPage();
        const aSeen = watch(a);
        const bSeen = watch(b);
        await Promise.all([
          signInThroughUi(a, url, 70001, 'Alice'),
          signInThroughUi(b, url, 70002, 'Bob'),
        ]);
        await Promise.all([openTab(a, 'friends'), openTab(b, 'friends')]);
        await b.locator('.friend-list-screen .empty').waitFor();

        // Alice's phone uploads its address book, with Bob's number in it.
        const aliceApi = await signInTestUser(url, 70001, { deviceName: 'Alice’s phone' });
        await post(
          url,
          'contacts.sync',
          { add: [{ phone: testPhone(70002).phone, name: 'Bobby' }] },
          aliceApi.token,
        );

        // Alice has a friend, under her address book's name; Bob a recommendation. No reloads.
        await friendRow(a, 'friends', 'Bobby').waitFor();
        const recommendation = friendRow(b, 'recommended', 'Alice');
        await recommendation.waitFor();
        expect(await b.locator('.section-friends').count()).toBe(0);
        await expect
          .poll(() => b.locator('.tab[data-tab="friends"] .badge').textContent())
          .toBe('1');

        // Bob adds her: the recommendation goes, Alice is his friend.
        await recommendation.locator('.add-button').click();
        await friendRow(b, 'friends', 'Alice').waitFor();
        await expect.poll(() => b.locator('.section-recommended').count()).toBe(0);
        await expect.poll(() => b.locator('.tab[data-tab="friends"] .badge').count()).toBe(0);

        // Alice edits her profile; Bob's list follows.
        await editMyProfile(a);
        await a.locator('input[name="displayName"]').fill('Alice Kim');
        await a.locator('input[name="statusMessage"]').fill('Hiking 🏔️');
        await a.locator('.edit-profile form button[type="submit"]').click();
        await a.locator('.edit-profile form .form-notice').waitFor();
        const aliceRow = friendRow(b, 'friends', 'Alice Kim');
        await aliceRow.waitFor();
        await expect
          .poll(() => aliceRow.locator('.friend-row-status').textContent())
          .toBe('Hiking 🏔️');
        expect(await aliceRow.locator('img').count()).toBe(0);

        // A camera-sized picture over a slow line: a spinner and progress while it goes; then
        // the new picture on both sides.
        const cdp = await alice.newCDPSession(a);
        const uploadThroughput = async (bytesPerSecond: number) =>
          cdp.send('Network.emulateNetworkConditions', {
            offline: false,
            latency: 0,
            downloadThroughput: -1,
            uploadThroughput: bytesPerSecond,
          });
        await uploadThroughput(200_000);
        await a.locator('input[name="photo"]').setInputFiles({
          name: 'alice.png',
          mimeType: 'image/png',
          buffer: testPhoto(30, 384, 4),
        });
        await a.locator('.photo-frame[aria-busy="true"] .spinner').waitFor();
        await a.locator('.photo-progress progress').waitFor();
        await a.locator('.photo-editor .form-notice').waitFor();
        await uploadThroughput(-1);
        expect(await a.locator('.photo-progress').count()).toBe(0);
        expect(await a.locator('.photo-editor .form-notice').textContent()).toBe(
          en.editProfile.photoUpdated,
        );
        const photo = aliceRow.locator('img.avatar-photo');
        await photo.waitFor();
        expect(await photo.getAttribute('src')).toMatch(/^\/v1\/photos\/[\w-]+\?size=small$/);
        await expect
          .poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
          .toBe(160);
        // Bob's profile view of her shows the large picture.
        await aliceRow.locator('.friend-row').click();
        const bigPhoto = b.locator('.profile-hero img.avatar-photo');
        await bigPhoto.waitFor();
        expect(await bigPhoto.getAttribute('src')).toContain('size=large');
        expect(await b.locator('.profile-name').textContent()).toBe('Alice Kim');

        // Pictures the server would refuse are refused with a clear message, in place.
        await a.locator('input[name="photo"]').setInputFiles({
          name: 'huge.png',
          mimeType: 'image/png',
          buffer: Buffer.alloc(10 * 1024 * 1024 + 1),
        });
        await expect
          .poll(() => a.locator('.photo-editor .form-error').textContent())
          .toContain(en.editProfile.photoTooLarge.split('{{max}}')[0]!.trim());
        await a.locator('input[name="photo"]').setInputFiles({
          name: 'notes.txt',
          mimeType: 'text/plain',
          buffer: Buffer.from('not a picture'),
        });
        await expect
          .poll(() => a.locator('.photo-editor .form-error').textContent())
          .toBe(en.editProfile.photoNotImage);
        // Named like a picture but not one: the server says so.
        const refused = a.waitForResponse((r) => r.url().endsWith('/v1/profile/photo'));
        await a.locator('input[name="photo"]').setInputFiles({
          name: 'fake.png',
          mimeType: 'image/png',
          buffer: Buffer.from('this is no PNG at all'),
        });
        expect((await refused).status()).toBe(400);
        await expect
          .poll(() => a.locator('.photo-editor .form-error').textContent())
          .toBe(en.editProfile.photoNotImage);

        // A Tokki ID someone else has is "taken"; a free one is saved.
        const carol = await signInTestUser(url, 70003, { displayName: 'Carol' });
        await post(url, 'profile.update', { tokkiId: 'carol.kim' }, carol.token);
        await a.locator('input[name="tokkiId"]').fill('Carol.Kim');
        await a.locator('.edit-profile form button[type="submit"]').click();
        await expect
          .poll(() => a.locator('.edit-profile form .form-error').textContent())
          .toBe(en.editProfile.tokkiIdTaken);
        await a.locator('input[name="tokkiId"]').fill('alice_kim');
        await a.locator('.edit-profile form button[type="submit"]').click();
        await a.locator('.edit-profile form .form-notice').waitFor();
        const me = (await post(url, 'profile.get', {}, aliceApi.token)) as { tokkiId: string };
        expect(me.tokkiId).toBe('alice_kim');

        // Removing the picture: Bob's view goes back to initials, live.
        await a.locator('.photo-buttons .button.danger').click();
        await a.locator('dialog[open] .button.danger').click();
        await a.locator('.photo-editor .form-notice').waitFor();
        await bigPhoto.waitFor({ state: 'detached' });
        expect(await b.locator('.profile-hero .avatar').textContent()).toBe('AK');

        expect(aSeen.errors).toEqual([]);
        expect(bSeen.errors).toEqual([]);
      } finally {
        await alice.close();
        await bob.close();
      }
    },
  );

  it('adds friends by Tokki ID and by number, with clear errors', async () => {
    const url = suite.server.url;
    const dave = await signInTestUser(url, 71002, { displayName: 'Dave' });
    await post(url, 'profile.update', { tokkiId: 'dave.lee' }, dave.token);
    await signInTestUser(url, 71003, { displayName: 'Erin' });
    const context = await newPhoneContext(suite.browser);
    try {
      const page = await context.newPage();
      const seen = watch(page);
      await signInThroughUi(page, url, 71001, 'Carol');
      await openTab(page, 'friends');
      await page.locator('.friend-list-screen .empty .button').click();
      const error = page.locator('.sub-screen form .form-error');
      const notice = page.locator('.sub-screen form .form-notice');

      // By number: not a number, nobody's number, then Erin's.
      await page.locator('input[name="phone"]').fill('12');
      await page.locator('input[name="phone"]').press('Enter');
      await expect.poll(() => error.textContent()).toBe(en.errors.PHONE_INVALID);
      await page.locator('input[name="phone"]').fill(testPhone(71001).phone);
      await page.locator('input[name="phone"]').press('Enter');
      await expect.poll(() => error.textContent()).toBe(en.errors.self);
      const nobody = testPhone(71099).phone;
      await page.locator('input[name="phone"]').fill(nobody);
      await page.locator('input[name="phone"]').press('Enter');
      await expect
        .poll(() => error.textContent())
        .toBe(en.addFriend.notFoundPhone.replace('{{phone}}', nobody));
      await page.locator('input[name="phone"]').fill(testPhone(71003).phone);
      await page.locator('input[name="phone"]').press('Enter');
      await expect.poll(() => notice.textContent()).toBe('Erin is now your friend.');

      // By Tokki ID: malformed, unknown, then Dave's (in other letter case).
      await page.locator('.segment', { hasText: en.addFriend.byId }).click();
      await page.locator('input[name="tokkiId"]').fill('da');
      await page.locator('input[name="tokkiId"]').press('Enter');
      await expect.poll(() => error.textContent()).toBe(en.errors.tokkiIdInvalid);
      await page.locator('input[name="tokkiId"]').fill('nobody.here');
      await page.locator('input[name="tokkiId"]').press('Enter');
      await expect
        .poll(() => error.textContent())
        .toBe('No one on Tokki has the ID “nobody.here”.');
      await page.locator('input[name="tokkiId"]').fill('Dave.Lee');
      await page.locator('input[name="tokkiId"]').press('Enter');
      await expect.poll(() => notice.textContent()).toBe('Dave is now your friend.');
      await page.locator('input[name="tokkiId"]').fill('dave.lee');
      await page.locator('input[name="tokkiId"]').press('Enter');
      await expect.poll(() => notice.textContent()).toBe('Dave is already your friend.');

      // Pasted contacts: one becomes a friend under the pasted name, a bad line is reported.
      await signInTestUser(url, 71004, { displayName: 'Frank' });
      await page
        .locator('textarea[name="contacts"]')
        .fill(`${testPhone(71004).phone}, Frankie\nnot a number`);
      await page.locator('.import-contacts button[type="submit"]').click();
      await expect
        .poll(() => page.locator('.import-contacts .form-notice').textContent())
        .toBe('1 contact imported; new friends: 1. Not phone numbers, so skipped: line 2.');

      await page.goBack();
      await page.locator('.friend-list-screen .section-friends').waitFor();
      expect(await page.locator('.section-friends .friend-row-name').allTextContents()).toEqual([
        'Dave',
        'Erin',
        'Frankie',
      ]);
      expect(seen.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('favourites, hides, chats with and blocks a friend from the profile view', async () => {
    const url = suite.server.url;
    const gina = await signInTestUser(url, 72002, { displayName: 'Gina' });
    const context = await newPhoneContext(suite.browser);
    try {
      const page = await context.newPage();
      const seen = watch(page);
      await signInThroughUi(page, url, 72001, 'Hana');
      const hana = await signInTestUser(url, 72001);
      await post(url, 'friends.add', { phone: gina.phone }, hana.token);
      await openTab(page, 'friends');
      await friendRow(page, 'friends', 'Gina').locator('.friend-row').click();
      const favorite = page.locator('.profile-screen .action-favorite');
      await favorite.waitFor();

      // Favourite: on the profile and in the list's favourites.
      expect(await favorite.getAttribute('aria-pressed')).toBe('false');
      await favorite.click();
      await expect.poll(() => favorite.getAttribute('aria-pressed')).toBe('true');
      // Hide: a note on the profile, and the friend moves to the folded hidden list.
      await page.locator('.profile-screen .action-hide').click();
      await page.locator('.profile-note', { hasText: en.profile.hiddenNote }).waitFor();
      await page.goBack();
      await page.locator('.hidden-friends').waitFor();
      expect(await page.locator('.section-friends').count()).toBe(0);
      expect(await page.locator('.section-favorites').count()).toBe(0);
      await page.locator('.hidden-friends > summary').click();
      await page.locator('.hidden-friends .friend-row', { hasText: 'Gina' }).click();
      await page.locator('.profile-screen .action-hide').click();
      await page.locator('.profile-note').waitFor({ state: 'detached' });
      await page.goBack();
      await friendRow(page, 'favorites', 'Gina').waitFor();
      await friendRow(page, 'friends', 'Gina').waitFor();

      // 1:1 chat from the profile.
      await friendRow(page, 'friends', 'Gina').locator('.friend-row').click();
      await page.locator('.profile-screen .action-chat').click();
      await page.locator('#chat-room-title', { hasText: 'Gina' }).waitFor();
      await page.locator('.chat-room .composer-input').waitFor();
      await page.goBack();
      await page.locator('.friend-list-screen').waitFor();

      // Block, after a confirmation: out of the list, into Settings' blocked users.
      await friendRow(page, 'friends', 'Gina').locator('.friend-row').click();
      await page.locator('.profile-screen .action-block').click();
      await page.locator('dialog[open]').waitFor();
      expect(await page.locator('dialog[open] .dialog-message').textContent()).toBe(
        en.profile.blockConfirm.replace('{{name}}', 'Gina'),
      );
      await page.locator('dialog[open] .button.danger').click();
      await page.locator('.profile-note', { hasText: en.profile.blockedNote }).waitFor();
      await page.locator('.profile-screen .action-unblock').waitFor();
      // Gina's messages are refused now, and she is not told why.
      const chat = (await post(url, 'chats.createDirect', { userId: gina.userId }, hana.token)) as {
        id: string;
      };
      const refused = post(
        url,
        'messages.send',
        { chatId: chat.id, clientMsgId: 'after-block', text: 'Hi?' },
        gina.token,
      );
      await expect(refused).rejects.toThrow();
      await expect(refused).rejects.not.toThrow(/block/i);
      await page.goBack();
      await page.locator('.friend-list-screen .empty').waitFor();

      await page.locator('.friend-list-screen .top-bar-actions button').nth(1).click();
      const blocked = page.locator('.blocked-users .person', { hasText: 'Gina' });
      await blocked.waitFor();
      await blocked.locator('button').click();
      await blocked.waitFor({ state: 'detached' });
      await page.locator('.form-text', { hasText: en.settings.noBlocked }).waitFor();
      await page.goBack();
      // Unblocked, a former friend is a friend again.
      await friendRow(page, 'friends', 'Gina').waitFor();
      expect(seen.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
