import { REACTIONS, type Message, type Reaction } from '@tokki/protocol';
import { useId, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { REACTION_EMOJI } from '../lib/reactions';
import { Icon, type IconName } from './Icon';
import { dismissible, useModal } from '../lib/modal';

export type MessageAction = 'reply' | 'copy' | 'forward' | 'edit' | 'pin' | 'unpin' | 'delete';

/**
 * What one can do with a message (long-press, right-click or its "⋯" button), as a modal list
 * like KakaoTalk's, with a row of reactions on top: arrow keys move between the items, Escape or
 * the backdrop closes it.
 */
export function MessageMenu(props: {
  message: Message | null;
  actions: MessageAction[];
  onAction: (action: MessageAction) => void;
  /** This user's reaction to the message; choosing it again takes it back. */
  myReaction: Reaction | null;
  /** Absent when the message takes no reactions (a tombstone). */
  onReact: ((reaction: Reaction | null) => void) | undefined;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const ref = useModal(props.message !== null, '[role="menuitem"]');
  const titleId = useId();

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key)) return;
    const items = [...event.currentTarget.querySelectorAll<HTMLElement>('[role^="menuitem"]')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next =
      event.key === 'Home'
        ? 0
        : event.key === 'End'
          ? items.length - 1
          : (at + (event.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
    items[next]?.focus();
    event.preventDefault();
  };

  const labels: Record<MessageAction, { label: string; icon: IconName }> = {
    reply: { label: t('chat.reply'), icon: 'reply' },
    copy: { label: t('chat.copy'), icon: 'copy' },
    forward: { label: t('chat.forward'), icon: 'forward' },
    edit: { label: t('chat.edit'), icon: 'edit' },
    pin: { label: t('chat.pin'), icon: 'pin' },
    unpin: { label: t('chat.unpin'), icon: 'pin' },
    delete: { label: t('chat.delete'), icon: 'trash' },
  };
  const message = props.message;
  return (
    <dialog
      ref={ref}
      className="dialog message-menu"
      aria-labelledby={titleId}
      {...dismissible(ref, props.onClose)}
    >
      <p id={titleId} className={`message-menu-preview${message?.deletedAt ? ' deleted' : ''}`}>
        {message ? (message.deletedAt ? t('chat.deleted') : message.text) : ''}
      </p>
      <div role="menu" aria-labelledby={titleId} onKeyDown={onKeyDown}>
        {props.onReact && (
          <div role="group" className="reaction-picker" aria-label={t('chat.reactionsLabel')}>
            {REACTIONS.map((reaction) => {
              const chosen = props.myReaction === reaction;
              return (
                <button
                  key={reaction}
                  type="button"
                  role="menuitemradio"
                  aria-checked={chosen}
                  className={`reaction-option reaction-${reaction}${chosen ? ' chosen' : ''}`}
                  aria-label={t(`reactions.${reaction}`)}
                  title={t(`reactions.${reaction}`)}
                  onClick={() => props.onReact?.(chosen ? null : reaction)}
                >
                  <span className="reaction-emoji" aria-hidden="true">
                    {REACTION_EMOJI[reaction]}
                  </span>
                </button>
              );
            })}
          </div>
        )}
        {props.actions.map((action) => (
          <button
            key={action}
            type="button"
            role="menuitem"
            className={`message-menu-item action-${action}`}
            onClick={() => props.onAction(action)}
          >
            <Icon name={labels[action].icon} size={20} />
            <span>{labels[action].label}</span>
          </button>
        ))}
      </div>
    </dialog>
  );
}

/** "Delete this message?" with the ways it can go: for everyone (when allowed) or for me. */
export function DeleteMessageDialog(props: {
  open: boolean;
  forEveryone: boolean;
  onDelete: (forEveryone: boolean) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const ref = useModal(props.open);
  const messageId = useId();
  return (
    <dialog
      ref={ref}
      className="dialog delete-message-dialog"
      aria-describedby={messageId}
      {...dismissible(ref, props.onCancel)}
    >
      <div className="dialog-body">
        <div id={messageId} className="dialog-text">
          <p className="dialog-message">{t('chat.deleteQuestion')}</p>
          {!props.forEveryone && <p className="dialog-hint">{t('chat.deleteForMeOnly')}</p>}
        </div>
        <div className="dialog-actions stacked">
          {props.forEveryone && (
            <button
              type="button"
              className="button danger action-delete-everyone"
              onClick={() => props.onDelete(true)}
            >
              {t('chat.deleteForEveryone')}
            </button>
          )}
          <button
            type="button"
            className="button danger action-delete-me"
            onClick={() => props.onDelete(false)}
          >
            {t('chat.deleteForMe')}
          </button>
          <button type="button" className="button secondary" onClick={props.onCancel} autoFocus>
            {t('common.cancel')}
          </button>
        </div>
      </div>
    </dialog>
  );
}
