import { TokkiError } from '@tokki/sdk';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../components/Icon';
import { TopBar } from '../components/TopBar';
import { useEscape } from '../lib/escape';
import { errorText } from '../lib/errors';
import { goBack, navigate } from '../lib/router';
import { store } from '../lib/store';

/**
 * An invite link (`/join/<token>`): "Join this group?" and a Join button. The server cannot say
 * which group a link is for without joining, so the question is asked before.
 */
export default function JoinChat({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const back = () => goBack();
  useEscape(back);

  const join = () => {
    setBusy(true);
    setError(null);
    store.joinByInvite(token).then(
      (chat) => navigate({ name: 'chat', chatId: chat.id }, { replace: true }),
      (failure: unknown) => {
        // A wrong, reset or turned-off link: NOT_FOUND, or INVALID_PARAMS for a mangled one.
        const broken =
          failure instanceof TokkiError &&
          (failure.code === 'NOT_FOUND' || failure.code === 'INVALID_PARAMS');
        setError(broken ? t('join.invalid') : errorText(t, failure, i18n.language));
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
