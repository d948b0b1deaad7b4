import type { InvitePreview } from '@tokki/protocol';
import { TokkiError } from '@tokki/sdk';
import { useEffect, useEffectEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../components/Icon';
import { OpenChatCard, OpenChatJoinForm } from '../components/OpenChatJoin';
import { TopBar } from '../components/TopBar';
import { useEscape } from '../lib/escape';
import { errorText } from '../lib/errors';
import { goBack, navigate } from '../lib/router';
import { store } from '../lib/store';

/** A wrong, reset or turned-off link: NOT_FOUND, or INVALID_PARAMS for a mangled one. */
const isBroken = (failure: unknown) =>
  failure instanceof TokkiError &&
  (failure.code === 'NOT_FOUND' || failure.code === 'INVALID_PARAMS');

/**
 * An invite link (`/join/<token>`), asked about first (`chats.getInvite`): an open chat shows
 * what it is and takes a nickname for the room; a group asks "Join this group?" with a Join
 * button (also when the link could not be asked about).
 */
export default function JoinChat({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // undefined while asking; null when the server could not say.
  const [preview, setPreview] = useState<InvitePreview | null | undefined>(undefined);
  const back = () => goBack();
  useEscape(back);

  const invalid = useEffectEvent(() => t('join.invalid'));
  useEffect(() => {
    let current = true;
    store.client!.call('chats.getInvite', { token }).then(
      (found) => current && setPreview(found),
      (failure: unknown) => {
        if (!current) return;
        setPreview(null);
        if (isBroken(failure)) setError(invalid());
      },
    );
    return () => {
      current = false;
    };
  }, [token]);

  if (preview === undefined) {
    return (
      <section className="screen sub-screen join-screen" aria-labelledby="join-title">
        <TopBar title={<span id="join-title">{t('join.title')}</span>} onBack={back} />
        <div className="placeholder" role="status">
          <span className="spinner" aria-hidden="true" />
          <span className="visually-hidden">{t('app.loading')}</span>
        </div>
      </section>
    );
  }

  if (preview?.kind === 'open' && preview.open) {
    return (
      <section className="screen sub-screen join-screen join-open" aria-labelledby="join-title">
        <TopBar title={<span id="join-title">{t('openChat.joinTitle')}</span>} onBack={back} />
        <div className="scroll-body">
          <OpenChatCard
            summary={{
              title: preview.title,
              description: preview.open.description,
              memberCount: preview.memberCount,
              memberLimit: preview.open.memberLimit,
            }}
          />
          <OpenChatJoinForm
            via="link"
            join={(nickname) => store.joinOpenChat({ token }, nickname)}
            onJoined={(chat) => navigate({ name: 'chat', chatId: chat.id }, { replace: true })}
          />
        </div>
      </section>
    );
  }

  const join = () => {
    setBusy(true);
    setError(null);
    store.joinByInvite(token).then(
      (chat) => navigate({ name: 'chat', chatId: chat.id }, { replace: true }),
      (failure: unknown) => {
        setError(isBroken(failure) ? t('join.invalid') : errorText(t, failure, i18n.language));
        setBusy(false);
      },
    );
  };

  return (
    <section className="screen sub-screen join-screen" aria-labelledby="join-title">
      <TopBar title={<span id="join-title">{t('join.title')}</span>} onBack={back} />
      <div className="scroll-body join-body">
        <div className="empty-icon join-icon" aria-hidden="true">
          <Icon name="group" size={40} />
        </div>
        <h2 className="join-question">{t('join.question')}</h2>
        <p className="join-hint">{t('join.hint')}</p>
        {error && (
          <p className="form-error join-error" role="alert">
            <Icon name="alert" size={18} />
            <span>{error}</span>
          </p>
        )}
        <div className="join-actions">
          <button type="button" className="button secondary" onClick={back}>
            {t('common.cancel')}
          </button>
          <button type="button" className="button join-button" disabled={busy} onClick={join}>
            {t('join.join')}
          </button>
        </div>
      </div>
    </section>
  );
}
