import { LIMITS, PROFILE_PHOTO_TYPES, type MethodParams } from '@tokki/protocol';
import { TokkiError } from '@tokki/sdk';
import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../components/Avatar';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FormMessage, type FormMessageValue } from '../components/FormMessage';
import { Icon } from '../components/Icon';
import { TopBar } from '../components/TopBar';
import { useEscape } from '../lib/escape';
import { errorText } from '../lib/errors';
import { checkPhoto, uploadPhoto } from '../lib/photo';
import { goBack } from '../lib/router';
import { store, useAppState } from '../lib/store';
import { isTokkiId } from '../lib/tokki-id';

/** Name, status message, Tokki ID and profile picture. */
export default function EditProfile() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const me = useAppState((s) => s.me);
  const [name, setName] = useState(me?.displayName ?? '');
  const [status, setStatus] = useState(me?.statusMessage ?? '');
  const [tokkiId, setTokkiId] = useState(me?.tokkiId ?? '');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormMessageValue | null>(null);
  const [photoMessage, setPhotoMessage] = useState<FormMessageValue | null>(null);
  const [upload, setUpload] = useState<{ preview: string; progress: number } | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  useEscape(() => goBack({ name: 'friends' }));

  // The preview's object URL lives as long as the upload.
  const preview = upload?.preview;
  useEffect(
    () => () => {
      if (preview) URL.revokeObjectURL(preview);
    },
    [preview],
  );

  if (!me) return null;

  const photoError = (code: 'PAYLOAD_TOO_LARGE' | 'INVALID_PARAMS') =>
    code === 'PAYLOAD_TOO_LARGE'
      ? t('editProfile.photoTooLarge', {
          max: new Intl.NumberFormat(lng, {
            style: 'unit',
            unit: 'megabyte',
            maximumFractionDigits: 0,
          }).format(LIMITS.PROFILE_PHOTO_MAX_BYTES / (1024 * 1024)),
        })
      : t('editProfile.photoNotImage');

  const onPick = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = ''; // the same file may be picked again after an error
    if (!file) return;
    setPhotoMessage(null);
    const problem = checkPhoto(file);
    if (problem) {
      setPhotoMessage({ error: true, text: photoError(problem) });
      return;
    }
    const token = store.client?.token;
    if (!token) return;
    setUpload({ preview: URL.createObjectURL(file), progress: 0 });
    try {
      const updated = await uploadPhoto(file, token, (progress) =>
        setUpload((current) => current && { ...current, progress }),
      );
      store.setMe(updated);
      setPhotoMessage({ error: false, text: t('editProfile.photoUpdated') });
    } catch (e) {
      const code = e instanceof TokkiError ? e.code : undefined;
      setPhotoMessage({
        error: true,
        text:
          code === 'PAYLOAD_TOO_LARGE' || code === 'INVALID_PARAMS'
            ? photoError(code)
            : errorText(t, e, lng),
      });
    } finally {
      setUpload(null);
    }
  };

  const removePhoto = async () => {
    setConfirmRemove(false);
    setPhotoMessage(null);
    setBusy(true);
    try {
      store.setMe(await store.client!.call('profile.removePhoto', {}));
      setPhotoMessage({ error: false, text: t('editProfile.photoRemoved') });
    } catch (e) {
      setPhotoMessage({ error: true, text: errorText(t, e, lng) });
    } finally {
      setBusy(false);
    }
  };

  const typedId = tokkiId.trim();
  const changes: MethodParams<'profile.update'> = {};
  if (name.trim() !== me.displayName) changes.displayName = name.trim();
  if (status.trim() !== me.statusMessage) changes.statusMessage = status.trim();
  if (typedId !== (me.tokkiId ?? '') && typedId.toLowerCase() !== me.tokkiId?.toLowerCase()) {
    changes.tokkiId = typedId === '' ? null : typedId;
  }
  const changed = Object.keys(changes).length > 0;

  const onSave = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() || !changed) return;
    if (typeof changes.tokkiId === 'string' && !isTokkiId(changes.tokkiId)) {
      setMessage({ error: true, text: t('errors.tokkiIdInvalid') });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const updated = await store.client!.call('profile.update', changes);
      store.setMe(updated);
      setTokkiId(updated.tokkiId ?? '');
      setMessage({ error: false, text: t('common.saved') });
    } catch (e) {
      const taken = e instanceof TokkiError && e.code === 'CONFLICT';
      setMessage({
        error: true,
        text: taken ? t('editProfile.tokkiIdTaken') : errorText(t, e, lng),
      });
    } finally {
      setBusy(false);
    }
  };

  const percent = upload
    ? new Intl.NumberFormat(lng, { style: 'percent' }).format(upload.progress)
    : '';

  return (
    <section className="screen sub-screen edit-profile" aria-labelledby="edit-profile-title">
      <TopBar
        title={<span id="edit-profile-title">{t('editProfile.title')}</span>}
        onBack={() => goBack({ name: 'friends' })}
      />
      <div className="scroll-body">
        <div className="photo-editor">
          <div className="photo-frame" aria-busy={upload !== null}>
            {upload ? (
              <img
                className="photo-preview"
                src={upload.preview}
                alt=""
                // A browser that cannot show the format (HEIC) shows the spinner alone.
                onError={(e) => (e.currentTarget.style.visibility = 'hidden')}
              />
            ) : (
              <Avatar id={me.id} name={me.displayName} photo={me.photo} size={112} large />
            )}
            {upload && (
              <span className="photo-uploading">
                <span className="spinner" aria-hidden="true" />
              </span>
            )}
          </div>
          {upload && (
            <div className="photo-progress" role="status">
              <progress max={1} value={upload.progress} aria-label={t('editProfile.uploading')} />
              <span>{t('editProfile.uploadingPercent', { percent })}</span>
            </div>
          )}
          <div className="photo-buttons">
            <button
              type="button"
              className="button secondary small"
              disabled={upload !== null || busy}
              onClick={() => fileInput.current?.click()}
            >
              <Icon name="camera" size={18} />
              {t('editProfile.changePhoto')}
            </button>
            {me.photo && (
              <button
                type="button"
                className="button danger small"
                disabled={upload !== null || busy}
                onClick={() => setConfirmRemove(true)}
              >
                <Icon name="trash" size={18} />
                {t('editProfile.removePhoto')}
              </button>
            )}
          </div>
          <input
            ref={fileInput}
            className="visually-hidden"
            type="file"
            name="photo"
            accept={PROFILE_PHOTO_TYPES.join(',')}
            tabIndex={-1}
            aria-hidden="true"
            onChange={(e) => void onPick(e)}
          />
          <FormMessage message={photoMessage} />
        </div>

        <form className="form card" onSubmit={(event) => void onSave(event)} noValidate>
          <label className="field">
            <span className="field-label">{t('editProfile.name')}</span>
            <input
              className="input"
              name="displayName"
              maxLength={LIMITS.DISPLAY_NAME_MAX}
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
            />
          </label>
          <label className="field">
            <span className="field-label">{t('editProfile.status')}</span>
            <input
              className="input"
              name="statusMessage"
              maxLength={LIMITS.STATUS_MESSAGE_MAX}
              placeholder={t('editProfile.statusPlaceholder')}
              value={status}
              onChange={(e) => setStatus(e.target.value)}
            />
          </label>
          <label className="field">
            <span className="field-label">{t('editProfile.tokkiId')}</span>
            <input
              className="input"
              name="tokkiId"
              maxLength={20}
              autoCapitalize="none"
              autoCorrect="off"
              autoComplete="off"
              spellCheck={false}
              placeholder={t('editProfile.tokkiIdPlaceholder')}
              value={tokkiId}
              onChange={(e) => setTokkiId(e.target.value)}
            />
            <span className="field-hint">{t('editProfile.tokkiIdHint')}</span>
          </label>
          <div className="field">
            <span className="field-label">{t('editProfile.phone')}</span>
            <span className="field-static">{me.phone}</span>
          </div>
          <FormMessage message={message} />
          <button
            className="button block"
            type="submit"
            disabled={busy || !changed || !name.trim()}
          >
            {t('common.save')}
          </button>
        </form>
      </div>
      <ConfirmDialog
        open={confirmRemove}
        message={t('editProfile.removePhotoConfirm')}
        confirmLabel={t('editProfile.removePhoto')}
        danger
        onConfirm={() => void removePhoto()}
        onCancel={() => setConfirmRemove(false)}
      />
    </section>
  );
}
