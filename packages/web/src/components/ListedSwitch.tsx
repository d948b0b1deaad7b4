import { useTranslation } from 'react-i18next';

/** Whether an open chat is found by the search: in its create form and in its settings. */
export function ListedSwitch(props: { checked: boolean; onChange: (listed: boolean) => void }) {
  const { t } = useTranslation();
  return (
    <label className="switch-field">
      <span className="switch-text">
        <span className="field-label">{t('openChat.listed')}</span>
        <span className="field-hint">{t('openChat.listedHint')}</span>
      </span>
      <input
        type="checkbox"
        className="switch"
        name="listed"
        role="switch"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />
    </label>
  );
}
