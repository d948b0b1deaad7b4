/** The address of a group's invite link: this app's `/join/<token>` route. */
export function inviteUrl(origin: string, token: string): string {
  return `${origin}/join/${encodeURIComponent(token)}`;
}

const KEY = 'tokki.invite';

/**
 * Keeps the token of an invite link opened while signed out, so that its join screen shows after
 * signing in (the sign-in screens live at `/`). Per tab: sessionStorage.
 */
export function rememberInvite(token: string): void {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // Storage off (private mode): the link just has to be opened again.
  }
}

/** The remembered invite token, once: taking it forgets it. */
export function takeRememberedInvite(): string | null {
  try {
    const token = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    return token;
  } catch {
    return null;
  }
}
