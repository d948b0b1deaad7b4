import { LIMITS, type Member } from '@tokki/protocol';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../components/Avatar';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FormMessage, type FormMessageValue } from '../components/FormMessage';
import { Icon } from '../components/Icon';
import { TopBar } from '../components/TopBar';
import { chatTitle, selfIdIn, shownName } from '../lib/chat';
import { copyText } from '../lib/clipboard';
import { useEscape } from '../lib/escape';
import { errorText, groupAddErrorText } from '../lib/errors';
import { goBack, navigate } from '../lib/router';
import { store, useAppState } from '../lib/store';
import { PhoneInput } from '../components/PhoneInput';
import { inviteUrl } from '../lib/invite-link';
import { OpenChatBadge } from '../components/OpenChatBadge';
import { OpenChatInfo } from '../components/OpenChatInfo';
import { canChangeRole, canManageInvite, canRemoveMember, type Role } from '../lib/roles';
import { dismissible, useModal } from '../lib/modal';

/** What the confirmation dialog asks about. */
type Confirming =
  | { kind: 'leave' }
  | { kind: 'remove'; member: Member; name: string }
  | { kind: 'resetLink' }
  | { kind: 'revokeLink' };

const ROLE_ORDER: Record<Role, number> = { owner: 0, admin: 1, member: 2 };

/**
 * Muting, members, and for groups: rename, invite by phone number or by link, admins and removing
 * members (as the server allows; it still decides), leave.
 */
export default function ChatInfo({ chatId }: { chatId: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const chat = useAppState((s) => s.chats[chatId]);
  const members = useAppState((s) => s.members[chatId]);
  const me = useAppState((s) => s.me);
  const friends = useAppState((s) => s.friends);
  const [title, setTitle] = useState(chat?.title ?? '');
  const [phone, setPhone] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormMessageValue | null>(null);
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const [managing, setManaging] = useState<{ member: Member; name: string } | null>(null);
  // The invite link made in this tab: the server keeps only its hash, so only this tab has it.
  const [link, setLink] = useState<string | null>(() => {
    const token = store.state.inviteTokens[chatId];
    return token ? inviteUrl(location.origin, token) : null;
  });
  const back = () => goBack({ name: 'chat', chatId });
  useEscape(back);

  useEffect(() => {
    void store.loadMembers(chatId);
  }, [chatId]);
  const currentTitle = chat?.title;
  useEffect(() => {
    if (currentTitle !== undefined) setTitle(currentTitle);
  }, [currentTitle]);

  // In an open chat the user is a room profile (ADR 006).
  const selfId = selfIdIn(chat, me?.id);
  const sorted = useMemo<Member[]>(() => {
    const list = Object.values(members ?? {});
    return list.sort((a, b) => {
      if (a.user.id === selfId) return -1;
      if (b.user.id === selfId) return 1;
      if (a.role !== b.role) return ROLE_ORDER[a.role] - ROLE_ORDER[b.role];
      return a.user.displayName.localeCompare(b.user.displayName, lng);
    });
  }, [members, selfId, lng]);

  if (!chat) {
    return (
      <section className="screen sub-screen" aria-labelledby="info-title">
        <TopBar title={<span id="info-title">{t('info.title')}</span>} onBack={back} />
        <div className="empty">
          <p className="empty-text">{t('chat.notFound')}</p>
        </div>
      </section>
    );
  }

  const run = async (action: () => Promise<string | undefined>, describe = errorText) => {
    setBusy(true);
    setMessage(null);
    try {
      const text = await action();
      if (text) setMessage({ error: false, text });
    } catch (e) {
      setMessage({ error: true, text: describe(t, e, lng) });
    } finally {
      setBusy(false);
    }
  };

  const onRename = (event: FormEvent) => {
    event.preventDefault();
    const next = title.trim();
    if (!next || next === chat.title) return;
    void run(async () => {
      await store.client!.call('chats.rename', { chatId, title: next });
      return t('info.renamed');
    });
  };

  const onInvite = (event: FormEvent) => {
    event.preventDefault();
    const typed = phone.trim();
    if (!typed) return;
    void run(async () => {
      const { user } = await store.client!.call('users.lookupPhone', { phone: typed });
      if (!user) {
        setMessage({ error: true, text: t('errors.notOnTokki', { phone: typed }) });
        return undefined;
      }
      if (members?.[user.id]) return t('info.alreadyMember', { name: user.displayName });
      await store.client!.call('chats.addMembers', { chatId, userIds: [user.id] });
      setPhone('');
      await store.loadMembers(chatId);
      return t('info.invited', { name: user.displayName });
    }, groupAddErrorText);
  };

  const leave = async () => {
    setBusy(true);
    try {
      await store.client!.call('chats.leave', { chatId });
      navigate({ name: 'list' }, { replace: true });
      void store.refreshChats();
    } catch (e) {
      setMessage({ error: true, text: errorText(t, e, lng) });
      setBusy(false);
    }
  };

  const name = chatTitle(chat, t, friends);
  const count = members ? Object.keys(members).length : chat.memberCount;
  const isOpen = chat.kind === 'open';
  // Groups and open chats have roles, removals and an invite link.
  const group = chat.kind !== 'direct';
  const myRole = selfId ? members?.[selfId]?.role : undefined;
  const memberName = (member: Member) => {
    // An open chat's members are known by their nickname there, never as a friend.
    const friend = isOpen ? undefined : friends[member.user.id];
    return friend ? shownName(friend) : member.user.displayName;
  };

  const onMute = (muted: boolean) => {
    setMessage(null);
    store.setMuted(chatId, muted).catch((e: unknown) => {
      setMessage({ error: true, text: errorText(t, e, lng) });
    });
  };

  const setRole = (member: Member, role: 'admin' | 'member', shown: string) => {
    setManaging(null);
    void run(async () => {
      await store.setRole(chatId, member.user.id, role);
      return role === 'admin'
        ? t(isOpen ? 'openChat.madeCoHost' : 'info.madeAdmin', { name: shown })
        : t(isOpen ? 'openChat.madeMember' : 'info.madeMember', { name: shown });
    });
  };

  const newLink = (reset: boolean) =>
    run(async () => {
      const token = await store.createInvite(chatId);
      setLink(inviteUrl(location.origin, token));
      return reset ? t('info.linkReset') : t('info.linkCreated');
    });

  const onConfirm = () => {
    const what = confirming;
    setConfirming(null);
    if (!what) return;
    if (what.kind === 'leave') void leave();
    else if (what.kind === 'remove') {
      void run(async () => {
        await store.removeMember(chatId, what.member.user.id);
        return isOpen
          ? t('openChat.removed', { name: what.name })
          : t('info.removed', { name: what.name });
      });
    } else if (what.kind === 'resetLink') void newLink(true);
    else {
      void run(async () => {
        await store.revokeInvite(chatId);
        setLink(null);
        return t('info.linkRevoked');
      });
    }
  };

  const confirmText =
    confirming?.kind === 'remove'
      ? t('info.removeConfirm', { name: confirming.name, title: name })
      : confirming?.kind === 'resetLink'
        ? t('info.resetConfirm')
        : confirming?.kind === 'revokeLink'
          ? t('info.revokeConfirm')
          : t('info.leaveConfirm', { title: name });
  const confirmLabel =
    confirming?.kind === 'remove'
      ? t('info.removeMember')
      : confirming?.kind === 'resetLink'
        ? t('info.resetLink')
        : confirming?.kind === 'revokeLink'
          ? t('info.revokeLink')
          : t('info.leave');

  return (
    <section className="screen sub-screen" aria-labelledby="info-title">
      <TopBar
        title={<span id="info-title">{t('info.title')}</span>}
        onBack={back}
        actions={
          <button
            type="button"
            className="icon-button action-search"
            onClick={() => navigate({ name: 'search', chatId })}
            aria-label={t('search.inThisChat')}
            title={t('search.inThisChat')}
          >
            <Icon name="search" />
          </button>
        }
      />
      <div className="scroll-body">
        <div className="info-head">
          <Avatar
            id={chat.peer?.id ?? chat.id}
            name={name}
            photo={chat.peer?.photo}
            size={72}
            large
          />
          <h2 className="info-name">
            {isOpen && <OpenChatBadge size={18} />}
            {name}
          </h2>
          <p className="info-kind">
            {isOpen
              ? t('openChat.open')
              : chat.kind === 'group'
                ? t('info.group')
                : t('info.direct')}
          </p>
        </div>

        {isOpen && <OpenChatInfo chat={chat} self={selfId ? members?.[selfId] : undefined} />}

        <label className="switch-row">
          <span className="switch-icon" aria-hidden="true">
            <Icon name="bellOff" size={20} />
          </span>
          <span className="switch-text">
            <span className="switch-label">{t('info.mute')}</span>
            <span className="field-hint">{t('info.muteHint')}</span>
          </span>
          <input
            type="checkbox"
            role="switch"
            className="switch mute-switch"
            checked={Boolean(chat.muted)}
            onChange={(event) => onMute(event.target.checked)}
          />
        </label>

        {(chat.kind === 'group' || (isOpen && myRole !== undefined && myRole !== 'member')) && (
          <form className="form" onSubmit={onRename}>
            <label className="field">
              <span className="field-label">{t('info.groupName')}</span>
              <span className="input-row">
                <input
                  className="input"
                  name="title"
                  maxLength={LIMITS.CHAT_TITLE_MAX}
                  value={title}
                  onChange={(e) => setTitle(e.target.value)}
                />
                <button
                  className="button secondary"
                  type="submit"
                  disabled={busy || !title.trim() || title.trim() === chat.title}
                >
                  {t('info.rename')}
                </button>
              </span>
            </label>
          </form>
        )}

        {chat.kind === 'group' && (
          <form className="form" onSubmit={onInvite}>
            <label className="field">
              <span className="field-label">{t('info.invite')}</span>
              <PhoneInput value={phone} onChange={setPhone}>
                <button className="button secondary" type="submit" disabled={busy || !phone.trim()}>
                  {t('info.inviteButton')}
                </button>
              </PhoneInput>
            </label>
          </form>
        )}

        {group && canManageInvite(myRole) && (
          <section className="invite-link" aria-labelledby="invite-link-title">
            <h2 id="invite-link-title" className="section-title">
              {t('info.inviteLink')}
            </h2>
            <p className="field-hint">
              {isOpen ? t('openChat.newLinkHint') : t('info.inviteLinkHint')}
            </p>
            {link && (
              <span className="input-row">
                <input
                  className="input invite-link-url"
                  readOnly
                  value={link}
                  aria-label={t('info.inviteLinkLabel')}
                  onFocus={(event) => event.target.select()}
                />
                <button
                  type="button"
                  className="button secondary copy-link"
                  onClick={() =>
                    void copyText(link).then(() =>
                      setMessage({ error: false, text: t('info.linkCopied') }),
                    )
                  }
                >
                  <Icon name="copy" size={18} />
                  {t('info.copyLink')}
                </button>
              </span>
            )}
            <div className="invite-link-actions">
              <button
                type="button"
                className="button secondary create-link"
                disabled={busy}
                onClick={() => (link ? setConfirming({ kind: 'resetLink' }) : void newLink(false))}
              >
                <Icon name="link" size={18} />
                {link ? t('info.resetLink') : t('info.createLink')}
              </button>
              <button
                type="button"
                className="button secondary danger-text revoke-link"
                disabled={busy}
                onClick={() => setConfirming({ kind: 'revokeLink' })}
              >
                {t('info.revokeLink')}
              </button>
            </div>
          </section>
        )}

        <FormMessage message={message} />

        <h2 className="section-title">{t('info.members', { count })}</h2>
        <ul className="people">
          {sorted.map((member) => (
            <li key={member.user.id} className="person" data-member-id={member.user.id}>
              {isOpen ? (
                <RoomProfile member={member} self={member.user.id === selfId} />
              ) : (
                <a
                  className="person-link"
                  href={`/users/${encodeURIComponent(member.user.id)}`}
                  onClick={(event) => {
                    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0)
                      return;
                    event.preventDefault();
                    navigate({ name: 'profile', userId: member.user.id });
                  }}
                >
                  <Avatar
                    id={member.user.id}
                    name={member.user.displayName}
                    photo={member.user.photo}
                    size={40}
                  />
                  <span className="person-text">
                    <span className="person-name">
                      {friends[member.user.id]
                        ? shownName(friends[member.user.id]!)
                        : member.user.displayName}
                      {member.user.id === selfId && (
                        <span className="person-you"> {t('info.you')}</span>
                      )}
                    </span>
                    {member.user.statusMessage && (
                      <span className="person-status">{member.user.statusMessage}</span>
                    )}
                  </span>
                </a>
              )}
              {member.role !== 'member' && group && (
                <span className={`tag role-${member.role}`}>
                  {isOpen
                    ? member.role === 'owner'
                      ? t('openChat.host')
                      : t('openChat.coHost')
                    : member.role === 'owner'
                      ? t('info.owner')
                      : t('info.admin')}
                </span>
              )}
              {group &&
                member.user.id !== selfId &&
                (canChangeRole(myRole, member.role) || canRemoveMember(myRole, member.role)) && (
                  <button
                    type="button"
                    className="icon-button manage-member"
                    aria-label={t('info.manage', { name: memberName(member) })}
                    title={t('info.manage', { name: memberName(member) })}
                    aria-haspopup="menu"
                    onClick={() => setManaging({ member, name: memberName(member) })}
                  >
                    <Icon name="more" size={20} />
                  </button>
                )}
            </li>
          ))}
        </ul>

        {group && (
          <button
            type="button"
            className="button danger block leave-button"
            disabled={busy}
            onClick={() => setConfirming({ kind: 'leave' })}
          >
            <Icon name="logout" size={20} />
            {t('info.leave')}
          </button>
        )}
      </div>
      <MemberMenu
        managing={managing}
        myRole={myRole}
        openChat={isOpen}
        onRole={setRole}
        onRemove={(member, shown) => {
          setManaging(null);
          setConfirming({ kind: 'remove', member, name: shown });
        }}
        onClose={() => setManaging(null)}
      />
      <ConfirmDialog
        open={confirming !== null}
        message={confirmText}
        confirmLabel={confirmLabel}
        danger={confirming?.kind !== 'resetLink'}
        onConfirm={onConfirm}
        onCancel={() => setConfirming(null)}
      />
    </section>
  );
}

/** What the owner or an admin can do with a member: only what the server would allow. */
function MemberMenu(props: {
  managing: { member: Member; name: string } | null;
  myRole: Role | undefined;
  /** An open chat calls its admins co-hosts. */
  openChat: boolean;
  onRole: (member: Member, role: 'admin' | 'member', name: string) => void;
  onRemove: (member: Member, name: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const ref = useModal(props.managing !== null, '[role="menuitem"]');
  const titleId = useId();
  const managing = props.managing;
  const role = managing?.member.role ?? 'member';
  return (
    <dialog
      ref={ref}
      className="dialog message-menu member-menu"
      aria-labelledby={titleId}
      {...dismissible(ref, props.onClose)}
    >
      <p id={titleId} className="message-menu-preview">
        {managing?.name ?? ''}
      </p>
      {managing && (
        <div role="menu" aria-labelledby={titleId}>
          {canChangeRole(props.myRole, role) && (
            <button
              type="button"
              role="menuitem"
              className={`message-menu-item ${role === 'admin' ? 'action-unadmin' : 'action-admin'}`}
              onClick={() =>
                props.onRole(managing.member, role === 'admin' ? 'member' : 'admin', managing.name)
              }
            >
              <Icon name="shield" size={20} />
              <span>
                {props.openChat
                  ? role === 'admin'
                    ? t('openChat.removeCoHost')
                    : t('openChat.makeCoHost')
                  : role === 'admin'
                    ? t('info.removeAdmin')
                    : t('info.makeAdmin')}
              </span>
            </button>
          )}
          {canRemoveMember(props.myRole, role) && (
            <button
              type="button"
              role="menuitem"
              className="message-menu-item action-delete action-remove"
              onClick={() => props.onRemove(managing.member, managing.name)}
            >
              <Icon name="logout" size={20} />
              <span>{t('info.removeMember')}</span>
            </button>
          )}
        </div>
      )}
    </dialog>
  );
}

/**
 * A member of an open chat: a room profile, named by its nickname only, with no profile to open
 * and no picture.
 */
function RoomProfile({ member, self }: { member: Member; self: boolean }) {
  const { t } = useTranslation();
  return (
    <span className="person-link room-profile">
      <Avatar id={member.user.id} name={member.user.displayName} size={40} />
      <span className="person-text">
        <span className="person-name">
          {member.user.displayName}
          {self && <span className="person-you"> {t('info.you')}</span>}
        </span>
      </span>
    </span>
  );
}
