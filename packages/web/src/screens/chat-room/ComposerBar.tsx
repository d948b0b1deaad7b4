import { Icon } from '../../components/Icon';

/** The bar above the composer while editing a message or replying to one, with its cancel. */
export function ComposerBar(props: {
  kind?: 'replying';
  icon: 'edit' | 'reply';
  title: string;
  detail: string;
  cancelLabel: string;
  onCancel: () => void;
}) {
  const replying = props.kind === 'replying';
  return (
    <div className={replying ? 'editing-bar replying-bar' : 'editing-bar'}>
      <span className="editing-icon" aria-hidden="true">
        <Icon name={props.icon} size={18} />
      </span>
      <span className="editing-text">
        <span className="editing-title">{props.title}</span>
        <span className="editing-original">{props.detail}</span>
      </span>
      <button
        type="button"
        className={
          replying ? 'icon-button editing-cancel replying-cancel' : 'icon-button editing-cancel'
        }
        onClick={props.onCancel}
        aria-label={props.cancelLabel}
        title={props.cancelLabel}
      >
        <Icon name="close" size={20} />
      </button>
    </div>
  );
}
