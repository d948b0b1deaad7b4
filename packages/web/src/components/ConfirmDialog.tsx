import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { dismissible, useModal } from '../lib/modal';

/**
 * A modal question with a cancel and a confirm button (native <dialog>: focus stays inside,
 * Escape cancels).
 */
export function ConfirmDialog(props: {
  open: boolean;
  message: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const ref = useModal(props.open);
  const messageId = useId();
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-describedby={messageId}
      {...dismissible(ref, props.onCancel)}
    >
      <div className="dialog-body">
        <p id={messageId} className="dialog-message">
          {props.message}
        </p>
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={props.onCancel} autoFocus>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className={props.danger ? 'button danger' : 'button'}
            onClick={props.onConfirm}
          >
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </dialog>
  );
}
