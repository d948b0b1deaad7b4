import { describe, expect, it } from 'vitest';
import { inviteUrl } from './invite-link';
import { parseRoute, routePath } from './router';

describe('invite links', () => {
  it('are the app’s /join/<token> route, and parse back to the token', () => {
    const url = inviteUrl('https://tokki.example', 'Ab-9_xYz');
    expect(url).toBe('https://tokki.example/join/Ab-9_xYz');
    expect(parseRoute(new URL(url).pathname)).toEqual({ name: 'join', token: 'Ab-9_xYz' });
    expect(routePath({ name: 'join', token: 'a/b' })).toBe('/join/a%2Fb');
    expect(parseRoute('/join/a%2Fb')).toEqual({ name: 'join', token: 'a/b' });
  });
  it('without a token are just the chat list', () => {
    expect(parseRoute('/join')).toEqual({ name: 'list' });
    expect(parseRoute('/join/')).toEqual({ name: 'list' });
  });
});
