// Loaded when a photo is first opened (lazy): not part of the first load.
import type { FileInfo } from '@tokki/protocol';
import { useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { useFileLink } from '../lib/files';
import { Icon } from './Icon';

/**
 * A photo over the whole screen, the full image; ✕ or Escape closes it, the arrows (buttons or
 * keys) go through the album.
 */
export default function ImageViewer({
  images,
  index,
  onIndex,
  onClose,
}: {
  images: readonly FileInfo[];
  index: number;
  onIndex: (index: number) => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const image = images[index];
  const link = useFileLink(image?.id);
  const close = useRef<HTMLButtonElement>(null);
  const hasPrevious = index > 0;
  const hasNext = index < images.length - 1;

  useEffect(() => {
    const opener = document.activeElement;
    close.current?.focus();
    return () => {
      if (opener instanceof HTMLElement) opener.focus();
    };
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
      else if (event.key === 'ArrowLeft' && hasPrevious) onIndex(index - 1);
      else if (event.key === 'ArrowRight' && hasNext) onIndex(index + 1);
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [index, hasPrevious, hasNext, onIndex, onClose]);

  if (!image) return null;
  return createPortal(
    <div className="image-viewer" role="dialog" aria-modal="true" aria-label={image.name}>
      <div className="image-viewer-bar">
        <span className="image-viewer-count">
          {images.length > 1 &&
            t('files.position', {
              index: (index + 1).toLocaleString(i18n.language),
              count: images.length.toLocaleString(i18n.language),
            })}
        </span>
        {link && (
          <a
            className="icon-button image-viewer-download"
            href={link.url}
            download={image.name}
            aria-label={t('files.download', { name: image.name })}
            title={t('files.download', { name: image.name })}
          >
            <Icon name="download" />
          </a>
        )}
        <button
          ref={close}
          type="button"
          className="icon-button image-viewer-close"
          onClick={onClose}
          aria-label={t('common.close')}
          title={t('common.close')}
        >
          <Icon name="close" />
        </button>
      </div>
      <div className="image-viewer-stage" onClick={onClose}>
        {link && (
          <img
            key={image.id}
            className="image-viewer-image"
            src={link.url}
            alt={image.name}
            width={image.width}
            height={image.height}
            onClick={(event) => event.stopPropagation()}
          />
        )}
      </div>
      {hasPrevious && (
        <button
          type="button"
          className="image-viewer-nav image-viewer-previous"
          onClick={() => onIndex(index - 1)}
          aria-label={t('files.previous')}
          title={t('files.previous')}
        >
          <Icon name="prev" />
        </button>
      )}
      {hasNext && (
        <button
          type="button"
          className="image-viewer-nav image-viewer-next"
          onClick={() => onIndex(index + 1)}
          aria-label={t('files.next')}
          title={t('files.next')}
        >
          <Icon name="next" />
        </button>
      )}
    </div>,
    document.body,
  );
}
