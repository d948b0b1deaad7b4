import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from './Icon';

/** A screen's header: an optional back button, the title (one line, ellipsis) and actions. */
export function TopBar(props: {
  title: ReactNode;
  subtitle?: ReactNode;
  onBack?: () => void;
  backClassName?: string;
  actions?: ReactNode;
  leading?: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <header className="top-bar">
      {props.onBack && (
        <button
          type="button"
          className={`icon-button ${props.backClassName ?? ''}`}
          onClick={props.onBack}
          aria-label={t('common.back')}
          title={t('common.back')}
        >
          <Icon name="back" />
        </button>
      )}
      {props.leading}
      <div className="top-bar-titles">
        <h1 className="top-bar-title">{props.title}</h1>
        {props.subtitle && <div className="top-bar-subtitle">{props.subtitle}</div>}
      </div>
      {props.actions && <div className="top-bar-actions">{props.actions}</div>}
    </header>
  );
}
