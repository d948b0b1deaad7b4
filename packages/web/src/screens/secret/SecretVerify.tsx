import { KEY_IMAGE_COLORS, safetyNumberGroups } from '@tokki/e2e';
import type { Verification } from '@tokki/sdk/secret';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../../components/Avatar';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Icon } from '../../components/Icon';
import { TopBar } from '../../components/TopBar';
import { memberName } from '../../lib/chat';
import { goBack, navigate } from '../../lib/router';
import { secretSession, useSecretSession } from '../../lib/secret-loader';
import { secretStartErrorText } from '../../lib/secret-errors';
import { useAppState } from '../../lib/store';
import './secret.css';

/**
 * Verification of a secret chat's member: the safety number (12 groups of 5 digits) and the key
 * image side by side, the same on both devices when no one is in between, and "mark as verified".
 * In a group, the member is picked first.
 */
export default function SecretVerify({ chatId, userId }: { chatId: string; userId?: string }) {
  const { t } = useTranslation();
  const chat = useAppState((s) => s.chats[chatId]);
  const members = useAppState((s) => s.members[chatId]);
  const friends = useAppState((s) => s.friends);
  const me = useAppState((s) => s.me);
  const session = useSecretSession();
  const [verification, setVerification] = useState<Verification | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<{ error: unknown } | null>(null);
  const failed = failure && secretStartErrorText(t, failure.error);

  useEffect(() => {
    secretSession().catch((error: unknown) => setFailure({ error }));
  }, []);

  const version = session?.version;
  useEffect(() => {
    if (!session || !userId || !session.has(chatId)) return;
    let live = true;
    session.client.verification(chatId, userId).then(
      (v) => live && setVerification(v),
      (error: unknown) => live && setFailure({ error }),
    );
    return () => {
      live = false;
    };
  }, [session, version, chatId, userId]);

  const name = (id: string) =>
    chat ? memberName(id, chat, members, friends, me, t) : t('chat.unknownUser');
  const back = () => goBack({ name: 'chat', chatId });
  const peers = session?.peerIds(chatId) ?? [];

  return (
    <section className="screen sub-screen secret-verify" aria-labelledby="secret-verify-title">
      <TopBar
        title={<span id="secret-verify-title">{t('secret.verifyTitle')}</span>}
        onBack={back}
      />
      <div className="scroll-body">
        {failed ? (
          <p className="form-error" role="alert">
            {failed}
          </p>
        ) : !userId ? (
          <>
            <h2 className="section-title">{t('secret.chooseMember')}</h2>
            <ul className="people">
              {peers.map((id) => (
                <li key={id}>
                  <button
                    type="button"
                    className="person person-button"
                    onClick={() =>
                      navigate({ name: 'verify', chatId, userId: id }, { replace: true })
                    }
                  >
                    <Avatar id={id} name={name(id)} photo={friends[id]?.user.photo} size={40} />
                    <span className="person-name">{name(id)}</span>
                    <Icon name="next" size={18} />
                  </button>
                </li>
              ))}
            </ul>
          </>
        ) : !verification ? (
          <p className="empty-text" role="status">
            {t('app.loading')}
          </p>
        ) : (
          <>
            <div className="secret-verify-who">
              <Avatar
                id={userId}
                name={name(userId)}
                photo={friends[userId]?.user.photo}
                size={56}
              />
              <span className="secret-verify-name">{name(userId)}</span>
              {verification.verified && (
                <span className="secret-verified">
                  <Icon name="check" size={16} /> {t('secret.verified')}
                </span>
              )}
            </div>
            <div className="secret-verify-pair">
              <figure className="secret-key-image">
                <KeyImage grid={verification.keyImage} label={t('secret.keyImage')} />
                <figcaption>{t('secret.keyImage')}</figcaption>
              </figure>
              <figure className="secret-safety-number">
                <p
                  className="safety-number"
                  aria-label={t('secret.safetyNumber')}
                  data-number={verification.safetyNumber}
                >
                  {safetyNumberGroups(verification.safetyNumber).map((group, i) => (
                    <span key={i}>{group}</span>
                  ))}
                </p>
                <figcaption>{t('secret.safetyNumber')}</figcaption>
              </figure>
            </div>
            <p className="form-text">{t('secret.verifyHint', { name: name(userId) })}</p>
            {!verification.verified && (
              <button type="button" className="button block" onClick={() => setConfirming(true)}>
                {t('secret.markVerified')}
              </button>
            )}
            <ConfirmDialog
              open={confirming}
              message={t('secret.markVerifiedConfirm', { name: name(userId) })}
              confirmLabel={t('secret.markVerified')}
              onCancel={() => setConfirming(false)}
              onConfirm={() => {
                setConfirming(false);
                if (!session) return;
                session.client.markVerified(chatId, userId).then(
                  () => session.touch(),
                  (error: unknown) => setFailure({ error }),
                );
              }}
            />
          </>
        )}
      </div>
    </section>
  );
}

/** The 12 × 12 key image, a square per cell in the four colours. */
function KeyImage({ grid, label }: { grid: number[][]; label: string }) {
  return (
    <svg
      className="key-image"
      viewBox="0 0 12 12"
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
    >
      {grid.flatMap((row, y) =>
        row.map((cell, x) => (
          <rect
            key={`${x}.${y}`}
            x={x}
            y={y}
            width={1}
            height={1}
            fill={KEY_IMAGE_COLORS[cell] ?? '#000'}
          />
        )),
      )}
    </svg>
  );
}
