import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLinkPreview } from '../lib/link-previews';
import { linkify } from '../lib/linkify';

/**
 * Only an image Tokki serves (`/v1/link-images/…`, fetched by the server): an image on the site
 * itself would tell it who reads the message before anyone opened the link.
 */
function isTokkiImage(value: string | null): value is string {
  return value !== null && value.startsWith('/v1/link-images/');
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

/**
 * The preview card of a message's first link, under its bubble (KakaoTalk shows one): site name,
 * title, two lines of description and the page's image (served by Tokki). Nothing while it loads
 * or when the page has no preview.
 */
export function LinkPreviewCard({ text }: { text: string }) {
  const { t } = useTranslation();
  const href = useMemo(() => linkify(text).find((part) => part.kind === 'link')?.href, [text]);
  const preview = useLinkPreview(href);
  const [imageFailed, setImageFailed] = useState(false);
  if (!href || !preview || (!preview.title && !preview.description)) return null;
  const image = isTokkiImage(preview.imageUrl) && !imageFailed ? preview.imageUrl : undefined;
  const site = preview.siteName || hostOf(preview.url);
  return (
    <a
      className="link-card"
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      title={t('chat.openLink', { site })}
    >
      {image && (
        <img
          className="link-card-image"
          src={image}
          alt=""
          loading="lazy"
          decoding="async"
          referrerPolicy="no-referrer"
          onError={() => setImageFailed(true)}
        />
      )}
      <span className="link-card-body">
        <span className="link-card-site">{site}</span>
        {preview.title && <span className="link-card-title">{preview.title}</span>}
        {preview.description && (
          <span className="link-card-description">{preview.description}</span>
        )}
      </span>
    </a>
  );
}
