import type { OpenChatSummary } from '@tokki/protocol';
import { useEffect, useEffectEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { OpenChatCard, OpenChatJoinForm } from '../components/OpenChatJoin';
import { TopBar } from '../components/TopBar';
import { useEscape } from '../lib/escape';
import { openChatErrorText } from '../lib/errors';
import { goBack, navigate } from '../lib/router';
import { store, useAppState } from '../lib/store';

/** A listed open chat from the search, before joining: what it is, a nickname, Join. */
export default function OpenChatPreview({ chatId }: { chatId: string }) {
  const { t, i18n } = useTranslation();
  const [summary, setSummary] = useState<OpenChatSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const member = useAppState((s) => s.chats[chatId] !== undefined);
  const back = () => goBack({ name: 'openChats' });
  useEscape(back);

  useEffect(() => {
    if (member) navigate({ name: 'chat', chatId }, { replace: true });
  }, [member, chatId]);

  const failureText = useEffectEvent((e: unknown) =>
    openChatErrorText(t, e, i18n.language, 'search'),
  );
  useEffect(() => {
    let current = true;
    store
      .client!.call('open.get', { chatId })
      .then((found) => current && setSummary(found))
      .catch((e: unknown) => current && setError(failureText(e)));
    return () => {
      current = false;
    };
  }, [chatId]);

  return (
    <section className="screen sub-screen open-preview" aria-labelledby="open-preview-title">
      <TopBar
        title={<span id="open-preview-title">{t('openChat.joinTitle')}</span>}
        onBack={back}
      />
      <div className="scroll-body">
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : !summary ? (
          <div className="placeholder" role="status">
            <span className="spinner" aria-hidden="true" />
            <span className="visually-hidden">{t('app.loading')}</span>
          </div>
        ) : (
          <>
            <OpenChatCard summary={summary} />
            <OpenChatJoinForm
              via="search"
              join={(nickname) => store.joinOpenChat({ chatId }, nickname)}
              onJoined={(chat) => navigate({ name: 'chat', chatId: chat.id }, { replace: true })}
            />
          </>
        )}
      </div>
    </section>
  );
}
