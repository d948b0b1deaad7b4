import { attach, oversize } from '../../lib/uploads';
import { LIMITS, isMessageTextTooLong, type Message } from '@tokki/protocol';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { messageActionErrorText } from '../../lib/errors';
import { formatBytes } from '../../lib/files';
import { store } from '../../lib/store';
import { snippet, type Notice } from './shared';
import { ComposerBar } from './ComposerBar';

export function Composer({
  chatId,
  editing,
  onEditDone,
  replying,
  replyingName,
  onReplyDone,
  notice,
  onDismissNotice,
}: {
  chatId: string;
  /** The message being edited: the composer holds its text until saved or cancelled. */
  editing: Message | null;
  onEditDone: () => void;
  /** The message the next one answers. */
  replying: Message | null;
  replyingName: string;
  onReplyDone: () => void;
  notice: Notice | null;
  onDismissNotice: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  // What was being written before an edit began comes back after it.
  const [draft, setDraft] = useState('');
  const [wasEditing, setWasEditing] = useState<Message | null>(null);
  if (editing !== wasEditing) {
    setWasEditing(editing);
    setError(null);
    if (editing) {
      if (!wasEditing) setDraft(text);
      setText(editing.text);
    } else {
      setText(draft);
      setDraft('');
    }
  }

  useEffect(() => {
    const area = ref.current;
    if (!editing || !area) return;
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }, [editing]);

  useEffect(() => {
    if (replying) ref.current?.focus();
  }, [replying]);

  useEffect(() => {
    // Focus the composer when a chat opens on a device with a keyboard (not on phones, where the
    // on-screen keyboard would cover the messages).
    if (window.matchMedia('(min-width: 900px)').matches) ref.current?.focus();
    setText('');
    setDraft('');
    setError(null);
  }, [chatId]);

  useEffect(() => {
    const area = ref.current;
    if (!area) return;
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, 140)}px`;
  }, [text]);

  const submit = () => {
    const value = text.trim();
    if (!value || saving) return;
    if (isMessageTextTooLong(value)) {
      setError(
        t('errors.TEXT_TOO_LONG', { max: LIMITS.MESSAGE_TEXT_MAX.toLocaleString(i18n.language) }),
      );
      return;
    }
    setError(null);
    onDismissNotice();
    if (editing) {
      if (value === editing.text) {
        onEditDone();
        return;
      }
      setSaving(true);
      store
        .editMessage(chatId, editing.seq, value)
        .then(onEditDone, (failure: unknown) =>
          setError(messageActionErrorText(t, failure, i18n.language, 'edit')),
        )
        .finally(() => setSaving(false));
      return;
    }
    store.send(chatId, value, replying?.seq);
    setText('');
    if (replying) onReplyDone();
  };

  // Picked files go at once (KakaoTalk's way), with what was typed as their caption.
  const onPick = (picked: File[]) => {
    if (picked.length === 0) return;
    const caption = text.trim();
    if (isMessageTextTooLong(caption)) {
      setError(
        t('errors.TEXT_TOO_LONG', { max: LIMITS.MESSAGE_TEXT_MAX.toLocaleString(i18n.language) }),
      );
      return;
    }
    const tooLarge = oversize(picked);
    const max = formatBytes(LIMITS.FILE_MAX_BYTES, i18n.language);
    setError(
      tooLarge.length === 0
        ? null
        : tooLarge.length === 1
          ? t('files.fileTooLarge', { name: tooLarge[0]!.name, max })
          : t('files.filesTooLarge', { count: tooLarge.length, max }),
    );
    const files = picked.filter((file) => !tooLarge.includes(file));
    if (files.length === 0) return;
    onDismissNotice();
    attach(chatId, files, caption, replying?.seq);
    setText('');
    if (replying) onReplyDone();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape' && (editing || replying)) {
      event.preventDefault();
      if (editing) onEditDone();
      else onReplyDone();
      return;
    }
    // Enter sends, Shift+Enter is a new line; never while an IME is composing (Korean, Japanese).
    if (event.key !== 'Enter' || event.shiftKey) return;
    if (event.nativeEvent.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    submit();
  };

  return (
    <form
      className="composer"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        submit();
      }}
    >
      {error && (
        <p className="composer-error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <div className={notice.error ? 'composer-error chat-notice' : 'chat-notice'} role="alert">
          <span className="chat-notice-text">{notice.text}</span>
          {notice.error && (
            <button
              type="button"
              className="chat-notice-close"
              onClick={onDismissNotice}
              aria-label={t('common.close')}
              title={t('common.close')}
            >
              <Icon name="close" size={16} />
            </button>
          )}
        </div>
      )}
      {editing && (
        <ComposerBar
          icon="edit"
          title={t('chat.editing')}
          detail={editing.text}
          cancelLabel={t('chat.cancelEdit')}
          onCancel={onEditDone}
        />
      )}
      {replying && !editing && (
        <ComposerBar
          kind="replying"
          icon="reply"
          title={t('chat.replyingTo', { name: replyingName })}
          detail={replying.deletedAt ? t('chat.quoteDeleted') : snippet(t, replying)}
          cancelLabel={t('chat.cancelReply')}
          onCancel={onReplyDone}
        />
      )}
      <div className="composer-row">
        {!editing && (
          <>
            <button
              type="button"
              className="attach-button"
              onClick={() => picker.current?.click()}
              aria-label={t('files.attach')}
              title={t('files.attach')}
            >
              <Icon name="attach" />
            </button>
            <input
              ref={picker}
              className="visually-hidden attach-input"
              type="file"
              multiple
              tabIndex={-1}
              aria-hidden="true"
              onChange={(event) => {
                onPick([...(event.target.files ?? [])]);
                event.target.value = '';
              }}
            />
          </>
        )}
        <textarea
          ref={ref}
          className="composer-input"
          rows={1}
          value={text}
          placeholder={t('chat.composer')}
          aria-label={t('chat.composer')}
          enterKeyHint="send"
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value.trim() && !editing) store.typing(chatId);
          }}
          onKeyDown={onKeyDown}
        />
        <button
          type="submit"
          className="send-button"
          disabled={!text.trim() || saving}
          aria-label={editing ? t('chat.saveEdit') : t('chat.send')}
          title={editing ? t('chat.saveEdit') : t('chat.send')}
        >
          <Icon name={editing ? 'check' : 'send'} />
        </button>
      </div>
    </form>
  );
}
