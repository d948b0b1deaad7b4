import type { Friend, Recommendation, User } from '@tokki/protocol';
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../components/Avatar';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { FormMessage, type FormMessageValue } from '../components/FormMessage';
import { Icon } from '../components/Icon';
import { TopBar } from '../components/TopBar';
import { shownName, sortFriends } from '../lib/chat';
import { friendErrorText } from '../lib/errors';
import { navigate } from '../lib/router';
import { store, useAppState } from '../lib/store';

/**
 * KakaoTalk's first tab: my profile, recommended friends (people who have my number) to add or
 * dismiss, favourites, friends by name, and hidden friends folded away.
 */
export default function FriendList({ selectedUserId }: { selectedUserId?: string | undefined }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const me = useAppState((s) => s.me);
  const friendsById = useAppState((s) => s.friends);
  const loaded = useAppState((s) => s.friendsLoaded);
  const recommendationsById = useAppState((s) => s.recommendations);
  const [query, setQuery] = useState('');
  const [message, setMessage] = useState<FormMessageValue | null>(null);

  const { favorites, visible, hidden } = useMemo(() => {
    const needle = query.trim().toLocaleLowerCase(lng);
    const all = sortFriends(
      Object.values(friendsById).filter(
        (f) =>
          !needle ||
          shownName(f).toLocaleLowerCase(lng).includes(needle) ||
          f.user.displayName.toLocaleLowerCase(lng).includes(needle),
      ),
      lng,
    );
    return {
      favorites: all.filter((f) => f.favorite && !f.hidden),
      visible: all.filter((f) => !f.hidden),
      hidden: all.filter((f) => f.hidden),
    };
  }, [friendsById, query, lng]);
  const recommendations = useMemo(
    () =>
      Object.values(recommendationsById).sort(
        (a, b) => b.since - a.since || (a.user.id < b.user.id ? -1 : 1),
      ),
    [recommendationsById],
  );
  const friendCount = Object.keys(friendsById).length;
  const searching = query.trim() !== '';

  const act = async (action: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await action();
    } catch (e) {
      setMessage({ error: true, text: friendErrorText(t, e, lng) });
    }
  };

  return (
    <section className="screen friend-list-screen" aria-labelledby="friend-list-title">
      <TopBar
        title={<span id="friend-list-title">{t('friends.title')}</span>}
        actions={
          <>
            <button
              type="button"
              className="icon-button"
              onClick={() => navigate({ name: 'addFriend' })}
              aria-label={t('friends.addFriend')}
              title={t('friends.addFriend')}
            >
              <Icon name="userPlus" />
            </button>
            <button
              type="button"
              className="icon-button"
              onClick={() => navigate({ name: 'settings' })}
              aria-label={t('chatList.settings')}
              title={t('chatList.settings')}
            >
              <Icon name="settings" />
            </button>
          </>
        }
      />
      <ConnectionBanner />
      <div className="friend-scroll">
        {friendCount > 0 && (
          <div className="friend-search">
            <Icon name="search" size={18} />
            <input
              className="friend-search-input"
              type="search"
              name="search"
              enterKeyHint="search"
              autoComplete="off"
              placeholder={t('friends.search')}
              aria-label={t('friends.search')}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
        )}

        {me && !searching && (
          <ul className="friend-rows my-profile" aria-label={t('friends.myProfile')}>
            <PersonRow
              user={me}
              name={me.displayName}
              size={60}
              selected={selectedUserId === me.id}
            />
          </ul>
        )}

        <FormMessage message={message} />

        {!searching && recommendations.length > 0 && (
          <FriendSection
            id="recommended"
            title={t('friends.recommended')}
            count={recommendations.length}
            hint={t('friends.recommendedHint')}
          >
            {recommendations.map((recommendation) => (
              <RecommendationRow
                key={recommendation.user.id}
                recommendation={recommendation}
                selected={selectedUserId === recommendation.user.id}
                onAdd={() => act(() => store.addFriendById(recommendation.user.id))}
                onDismiss={() => act(() => store.dismissRecommendation(recommendation.user.id))}
              />
            ))}
          </FriendSection>
        )}

        {favorites.length > 0 && (
          <FriendSection id="favorites" title={t('friends.favorites')} count={favorites.length}>
            {favorites.map((friend) => (
              <FriendRow key={friend.user.id} friend={friend} selectedUserId={selectedUserId} />
            ))}
          </FriendSection>
        )}

        {!loaded && friendCount === 0 ? (
          <div className="placeholder" role="status">
            <span className="spinner" aria-hidden="true" />
            <span className="visually-hidden">{t('app.loading')}</span>
          </div>
        ) : friendCount === 0 ? (
          <div className="empty">
            <div className="empty-icon" aria-hidden="true">
              <Icon name="userPlus" size={40} />
            </div>
            <p className="empty-title">{t('friends.empty')}</p>
            <p className="empty-text">{t('friends.emptyHint')}</p>
            <button
              type="button"
              className="button"
              onClick={() => navigate({ name: 'addFriend' })}
            >
              {t('friends.addFriend')}
            </button>
          </div>
        ) : searching && visible.length === 0 && hidden.length === 0 ? (
          <p className="friend-none">{t('friends.noMatch', { query: query.trim() })}</p>
        ) : (
          visible.length > 0 && (
            <FriendSection id="friends" title={t('friends.friends')} count={visible.length}>
              {visible.map((friend) => (
                <FriendRow key={friend.user.id} friend={friend} selectedUserId={selectedUserId} />
              ))}
            </FriendSection>
          )
        )}

        {hidden.length > 0 && (
          <details className="friend-section hidden-friends" open={searching || undefined}>
            <summary className="friend-section-title">
              <span>{t('friends.hidden')}</span>
              <span className="friend-section-count">{hidden.length.toLocaleString(lng)}</span>
              <Icon name="down" size={18} />
            </summary>
            <ul className="friend-rows">
              {hidden.map((friend) => (
                <FriendRow key={friend.user.id} friend={friend} selectedUserId={selectedUserId} />
              ))}
            </ul>
          </details>
        )}
      </div>
    </section>
  );
}

function FriendSection(props: {
  id: string;
  title: string;
  count: number;
  hint?: string;
  children: ReactNode;
}) {
  const { i18n } = useTranslation();
  const titleId = `friend-section-${props.id}`;
  return (
    <section className={`friend-section section-${props.id}`} aria-labelledby={titleId}>
      <h2 className="friend-section-title" id={titleId}>
        <span>{props.title}</span>
        <span className="friend-section-count">{props.count.toLocaleString(i18n.language)}</span>
      </h2>
      {props.hint && <p className="friend-section-hint">{props.hint}</p>}
      <ul className="friend-rows">{props.children}</ul>
    </section>
  );
}

function FriendRow({
  friend,
  selectedUserId,
}: {
  friend: Friend;
  selectedUserId: string | undefined;
}) {
  return (
    <PersonRow
      user={friend.user}
      name={shownName(friend)}
      selected={selectedUserId === friend.user.id}
      favorite={friend.favorite}
    />
  );
}

/** A person as a link to their profile: picture, name and status message. */
function PersonRow(props: {
  user: User;
  name: string;
  selected: boolean;
  size?: number;
  favorite?: boolean;
  subtitle?: string;
  actions?: ReactNode;
}) {
  const { t } = useTranslation();
  const { user, selected } = props;
  const status = props.subtitle ?? user.statusMessage;
  return (
    <li className="friend-row-item" data-user-id={user.id}>
      <a
        className={`friend-row${selected ? ' selected' : ''}`}
        href={`/users/${encodeURIComponent(user.id)}`}
        aria-current={selected ? 'page' : undefined}
        onClick={(event) => {
          if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          navigate({ name: 'profile', userId: user.id }, { replace: selected });
        }}
      >
        <Avatar id={user.id} name={props.name} photo={user.photo} size={props.size ?? 46} />
        <span className="friend-row-text">
          <span className="friend-row-name">
            {props.name}
            {props.favorite && <span className="visually-hidden"> ({t('profile.favorite')})</span>}
          </span>
          {status && <span className="friend-row-status">{status}</span>}
        </span>
      </a>
      {props.actions && <span className="friend-row-actions">{props.actions}</span>}
    </li>
  );
}

function RecommendationRow(props: {
  recommendation: Recommendation;
  selected: boolean;
  onAdd: () => Promise<void>;
  onDismiss: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const { user } = props.recommendation;
  const [busy, setBusy] = useState(false);
  const run = (action: () => Promise<void>) => () => {
    setBusy(true);
    void action().then(() => setBusy(false));
  };
  return (
    <PersonRow
      user={user}
      name={user.displayName}
      selected={props.selected}
      actions={
        <>
          <button
            type="button"
            className="button small add-button"
            disabled={busy}
            onClick={run(props.onAdd)}
            aria-label={t('friends.addName', { name: user.displayName })}
          >
            {t('friends.add')}
          </button>
          <button
            type="button"
            className="icon-button dismiss-button"
            disabled={busy}
            onClick={run(props.onDismiss)}
            aria-label={t('friends.dismissName', { name: user.displayName })}
            title={t('friends.dismiss')}
          >
            <Icon name="close" size={20} />
          </button>
        </>
      }
    />
  );
}
