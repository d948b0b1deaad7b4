import { cancelBatch, retryBatch, type UploadBatch } from '../../lib/uploads';
import { LIMITS } from '@tokki/protocol';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { MessageText } from '../../components/MessageText';
import { errorCodeText } from '../../lib/errors';
import { formatBytes } from '../../lib/files';

/** Files being uploaded before their message is sent: a bar per file, and retry or cancel. */
export function UploadRow({ batch }: { batch: UploadBatch }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const failed = batch.items.find((item) => item.status === 'failed');
  const cancel = (
    <button
      type="button"
      className="tiny-button upload-cancel"
      onClick={() => cancelBatch(batch.id)}
    >
      {t('common.cancel')}
    </button>
  );
  return (
    <div className="message-row mine upload-row" data-upload={failed ? 'failed' : 'uploading'}>
      <div className="message-line">
        <div className="message-body">
          <div className="message-bubble-line">
            <div className="bubble upload-bubble">
              <ul className="upload-list" aria-label={t('files.uploading')}>
                {batch.items.map((item) => {
                  const total = item.file.size || 1;
                  return (
                    <li key={item.key} className={`upload-item ${item.status}`}>
                      <span className="upload-name">{item.file.name}</span>
                      <span className="upload-size">{formatBytes(item.file.size, lng)}</span>
                      {item.status !== 'failed' && (
                        <progress
                          className="upload-progress"
                          max={total}
                          value={item.status === 'done' ? total : item.sent}
                          aria-label={t('files.progress', { name: item.file.name })}
                        />
                      )}
                    </li>
                  );
                })}
              </ul>
              {failed && (
                <p className="upload-error" role="alert">
                  <Icon name="alert" size={14} /> {uploadErrorText(t, failed.error, lng)}
                </p>
              )}
              {batch.caption && <MessageText text={batch.caption} />}
            </div>
            <div className="message-meta">
              {failed ? (
                <span className="failed">
                  <button
                    type="button"
                    className="tiny-button upload-retry"
                    onClick={() => retryBatch(batch.id)}
                  >
                    {t('common.retry')}
                  </button>
                  {cancel}
                </span>
              ) : (
                <>
                  <span className="pending-icon" role="img" aria-label={t('files.uploading')}>
                    <Icon name="clock" size={14} />
                  </span>
                  {cancel}
                </>
              )}
            </div>
          </div>
        </div>
      </div>
    </div>
  );
}

/** Why an upload failed, in words about files (a corrupt photo, too large, no longer a member). */
function uploadErrorText(t: TFunction, code: string | undefined, lng: string): string {
  if (code === 'PAYLOAD_TOO_LARGE') {
    return t('files.tooLarge', { max: formatBytes(LIMITS.FILE_MAX_BYTES, lng) });
  }
  if (code === 'INVALID_PARAMS') return t('files.invalid');
  return errorCodeText(t, code, lng);
}
