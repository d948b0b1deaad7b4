import type { User } from '@tokki/protocol';
import { useEffect, useState, type CSSProperties, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../components/Avatar';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FormMessage, type FormMessageValue } from '../components/FormMessage';
import { Icon, type IconName } from '../components/Icon';
import { TopBar } from '../components/TopBar';
import { shownName } from '../lib/chat';
import { secretStartErrorText } from '../lib/secret-errors';
import { secretSession } from '../lib/secret-loader';
import { useEscape } from '../lib/escape';
import { friendErrorText } from '../lib/errors';
import { avatarColor } from '../lib/format';
import { goBack, navigate } from '../lib/router';
import { store, useAppState, type State } from '../lib/store';

/** A user the app already knows: a friend, a recommendation, a blocked user, me, a chat member. */
function knownUser(state: State, userId: string): User | undefined {
  if (state.me?.id === userId) return state.me;
  const found =
    state.friends[userId]?.user ?? state.recommendations[userId]?.user ?? state.blocked[userId];
  if (found) return found;
  for (const chat of Object.values(state.chats)) if (chat.peer?.id === userId) return chat.peer;
  for (const members of Object.values(state.members)) {
    const member = members[userId];
    if (member) return member.user;
  }
  return undefined;
}

/**
 * Someone's profile: a big picture, their name and status, and what can be done — a 1:1 chat,
 * favourite, hide, block; add for someone who is not a friend; edit for oneself.
 */
export default function Profile({ userId }: { userId: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const me = useAppState((s) => s.me);
  const friend = useAppState((s) => s.friends[userId]);
  const recommended = useAppState((s) => s.recommendations[userId] !== undefined);
  const blocked = useAppState((s) => s.blocked[userId] !== undefined);
  const known = useAppState((s) => knownUser(s, userId));
  const [fetched, setFetched] = useState<User | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormMessageValue | null>(null);
  const [confirmBlock, setConfirmBlock] = useState(false);
  const close = () => goBack({ name: 'friends' });
  useEscape(close);

  const isKnown = known !== undefined;
  useEffect(() => {
    if (isKnown || !store.client) return;
    let current = true;
    store.client
      .call('users.get', { userIds: [userId] })
      .then(({ users }) => current && setFetched(users[0] ?? null))
      .catch(() => current && setFetched(null));
    return () => {
      current = false;
    };
  }, [userId, isKnown]);

  const user = known ?? fetched;
  if (!user) {
    return (
      <section className="screen sub-screen profile-screen" aria-labelledby="profile-title">
        <TopBar title={<span id="profile-title">{t('profile.title')}</span>} onBack={close} />
        <div className="empty">
          <p className="empty-text">{user === null ? t('profile.notFound') : t('app.loading')}</p>
        </div>
      </section>
    );
  }

  const isMe = user.id === me?.id;
  const name = friend ? shownName(friend) : user.displayName;

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setMessage(null);
    try {
      const text = await action();
      if (typeof text === 'string') setMessage({ error: false, text });
    } catch (e) {
      setMessage({ error: true, text: friendErrorText(t, e, lng) });
    } finally {
      setBusy(false);
    }
  };

  const openChat = () =>
    run(async () => {
      const chat = await store.client!.call('chats.createDirect', { userId: user.id });
      await store.fetchChat(chat.id).catch(() => {});
      navigate({ name: 'chat', chatId: chat.id }, { replace: true });
    });

  // The secret client opens now if it has not yet (it brings MLS with it).
  const openSecretChat = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const session = await secretSession();
      const chatId = await session.startChat(
        [user.id],
        undefined,
        (id) => !store.state.chats[id]?.title,
      );
      await store.fetchChat(chatId).catch(() => {});
      navigate({ name: 'chat', chatId }, { replace: true });
    } catch (e) {
      setMessage({ error: true, text: secretStartErrorText(t, e) });
      setBusy(false);
    }
  };

  const block = async () => {
    setConfirmBlock(false);
    await run(() => store.block(user));
  };

  const actions: ReactNode[] = [];
  const action = (key: string, icon: IconName, label: string, onClick: () => void, extra = {}) =>
    actions.push(
      <ProfileAction
        key={key}
        name={key}
        icon={icon}
        label={label}
        disabled={busy}
        onClick={onClick}
        {...extra}
      />,
    );
  if (isMe) {
    action('edit', 'edit', t('profile.edit'), () => navigate({ name: 'editProfile' }));
  } else if (blocked) {
    action('unblock', 'block', t('profile.unblock'), () => void run(() => store.unblock(user.id)));
  } else {
    if (!friend) {
      action(
        'add',
        'userPlus',
        t('profile.addFriend'),
        () =>
          void run(async () => {
            await store.addFriendById(user.id);
            return t('profile.added', { name: user.displayName });
          }),
      );
    }
    action('chat', 'chat', t('profile.chat'), () => void openChat());
    if (friend) {
      action('secret', 'lock', t('profile.secretChat'), () => void openSecretChat());
      action(
        'favorite',
        'star',
        t('profile.favorite'),
        () => void run(() => store.updateFriend(user.id, { favorite: !friend.favorite })),
        { pressed: friend.favorite },
      );
      action(
        'hide',
        friend.hidden ? 'show' : 'hide',
        friend.hidden ? t('profile.unhide') : t('profile.hide'),
        () => void run(() => store.updateFriend(user.id, { hidden: !friend.hidden })),
      );
    }
    action('block', 'block', t('profile.block'), () => setConfirmBlock(true));
  }

  const note = blocked
    ? t('profile.blockedNote')
    : friend?.hidden
      ? t('profile.hiddenNote')
      : recommended
        ? t('profile.recommendedNote')
        : !friend && !isMe
          ? t('profile.notFriendNote')
          : undefined;

  return (
    <section
      className="screen sub-screen profile-screen"
      aria-labelledby="profile-title"
      style={{ '--profile-color': avatarColor(user.id) } as CSSProperties}
      data-user-id={user.id}
    >
      <TopBar title={<span id="profile-title">{t('profile.title')}</span>} onBack={close} />
      <div className="profile-body">
        <div className="profile-hero">
          <Avatar id={user.id} name={name} photo={user.photo} size={128} large />
          <h2 className="profile-name">{name}</h2>
          {name !== user.displayName && (
            <p className="profile-subname">
              {t('profile.profileName', { name: user.displayName })}
            </p>
          )}
          {user.statusMessage && <p className="profile-status">{user.statusMessage}</p>}
          {isMe && me?.tokkiId && (
            <p className="profile-subname">{t('profile.tokkiId', { id: me.tokkiId })}</p>
          )}
          {note && <p className="profile-note">{note}</p>}
        </div>
        <FormMessage message={message} />
        <div className="profile-actions">{actions}</div>
      </div>
      <ConfirmDialog
        open={confirmBlock}
        message={t('profile.blockConfirm', { name })}
        confirmLabel={t('profile.block')}
        danger
        onConfirm={() => void block()}
        onCancel={() => setConfirmBlock(false)}
      />
    </section>
  );
}

function ProfileAction(props: {
  name: string;
  icon: IconName;
  label: string;
  disabled: boolean;
  pressed?: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className={`profile-action action-${props.name}`}
      disabled={props.disabled}
      aria-pressed={props.pressed}
      onClick={props.onClick}
    >
      <span className="profile-action-icon">
        <Icon name={props.icon} filled={props.pressed === true} />
      </span>
      <span className="profile-action-label">{props.label}</span>
    </button>
  );
}
