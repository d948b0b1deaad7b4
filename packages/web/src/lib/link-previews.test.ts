import type { LinkPreview } from '@tokki/protocol';
import { TokkiError } from '@tokki/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LinkPreviews } from './link-previews';

const PREVIEW: LinkPreview = {
  url: 'https://example.com/',
  siteName: 'Example',
  title: 'An example',
  description: null,
  imageUrl: null,
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('LinkPreviews', () => {
  afterEach(() => vi.useRealTimers());

  it('asks once per URL and remembers the answer, a card or none', async () => {
    const fetchPreview = vi.fn(async (url: string) => (url.includes('example') ? PREVIEW : null));
    const previews = new LinkPreviews(fetchPreview);
    const seen = vi.fn();
    previews.subscribe(seen);
    previews.request('https://example.com/');
    previews.request('https://example.com/');
    previews.request('https://empty.test/');
    expect(previews.get('https://example.com/')).toBeUndefined();
    await settle();
    previews.request('https://example.com/');
    expect(fetchPreview).toHaveBeenCalledTimes(2);
    expect(previews.get('https://example.com/')).toEqual(PREVIEW);
    expect(previews.get('https://empty.test/')).toBeNull();
    expect(seen).toHaveBeenCalled();
  });

  it('shows no card after an error and does not ask again', async () => {
    const fetchPreview = vi.fn(async () => {
      throw new TokkiError('INVALID_PARAMS', 'Only public http(s) links can be previewed.');
    });
    const previews = new LinkPreviews(fetchPreview);
    previews.request('http://localhost/');
    await settle();
    previews.request('http://localhost/');
    expect(previews.get('http://localhost/')).toBeNull();
    expect(fetchPreview).toHaveBeenCalledTimes(1);
  });

  it('asks once more after RATE_LIMITED, and not a third time', async () => {
    vi.useFakeTimers();
    const fetchPreview = vi.fn(async () => {
      throw new TokkiError('RATE_LIMITED', 'Slow down', { retryAfter: 5 });
    });
    const previews = new LinkPreviews(fetchPreview);
    previews.request('https://example.com/');
    await vi.advanceTimersByTimeAsync(0);
    expect(previews.get('https://example.com/')).toBeUndefined();
    previews.request('https://example.com/');
    expect(fetchPreview).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetchPreview).toHaveBeenCalledTimes(2);
    expect(previews.get('https://example.com/')).toBeNull();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(fetchPreview).toHaveBeenCalledTimes(2);
  });
});
