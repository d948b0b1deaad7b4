import type { FileInfo } from '@tokki/protocol';
import type * as Blurhash from 'blurhash';
import { lazy, Suspense, useEffect, useRef, useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes, useFileLink } from '../lib/files';
import { Icon } from './Icon';

type BlurhashModule = typeof Blurhash;

// The viewer and the BlurHash decoder load on first use: the first load does not carry them.
const ImageViewer = lazy(() => import('./ImageViewer'));
let blurhashModule: Promise<BlurhashModule> | undefined;

/** A lone photo keeps its proportions within these (tall or wide), as wide as the bubble. */
const MIN_RATIO = 0.66;
const MAX_RATIO = 2;

/** The photos (an album: a grid) and then the other files (cards) of a message. */
export function MessageFiles({ files }: { files: readonly FileInfo[] }) {
  const images = files.filter((file) => file.kind === 'image');
  const others = files.filter((file) => file.kind !== 'image');
  const [open, setOpen] = useState<number | null>(null);
  return (
    <div className="message-files">
      {images.length > 0 && (
        <div
          className={`album album-${Math.min(images.length, 3)}${images.length === 1 ? ' single' : ''}`}
          style={images.length === 1 ? singleSize(images[0]!) : undefined}
        >
          {images.map((image, index) => (
            <Thumbnail key={image.id} image={image} onOpen={() => setOpen(index)} />
          ))}
        </div>
      )}
      {others.map((file) => (
        <FileCard key={file.id} file={file} />
      ))}
      {open !== null && (
        <Suspense fallback={null}>
          <ImageViewer
            images={images}
            index={open}
            onIndex={setOpen}
            onClose={() => setOpen(null)}
          />
        </Suspense>
      )}
    </div>
  );
}

function singleSize(image: FileInfo): CSSProperties {
  const ratio =
    image.width && image.height
      ? Math.min(MAX_RATIO, Math.max(MIN_RATIO, image.width / image.height))
      : 1;
  return { aspectRatio: `${ratio}` };
}

/** A photo's thumbnail over its BlurHash, which shows until the thumbnail has loaded. */
function Thumbnail({ image, onOpen }: { image: FileInfo; onOpen: () => void }) {
  const { t } = useTranslation();
  const link = useFileLink(image.id);
  const [loaded, setLoaded] = useState(false);
  return (
    <button
      type="button"
      className="album-item"
      onClick={onOpen}
      aria-label={t('files.open', { name: image.name })}
      title={image.name}
    >
      {image.blurhash && !loaded && <BlurHash hash={image.blurhash} />}
      {link?.thumbUrl && (
        <img
          className={loaded ? 'album-image loaded' : 'album-image'}
          src={link.thumbUrl}
          alt=""
          width={image.width}
          height={image.height}
          decoding="async"
          onLoad={() => setLoaded(true)}
        />
      )}
    </button>
  );
}

/** A 32×32 decoding of the hash, stretched: the photo's colours while it loads. */
function BlurHash({ hash }: { hash: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let live = true;
    blurhashModule ??= import('blurhash');
    void blurhashModule.then(({ decode, isBlurhashValid }) => {
      const target = canvas.current;
      if (!live || !target || !isBlurhashValid(hash).result) return;
      const pixels = decode(hash, 32, 32);
      const context = target.getContext('2d');
      if (!context) return;
      const data = context.createImageData(32, 32);
      data.data.set(pixels);
      context.putImageData(data, 0, 0);
    });
    return () => {
      live = false;
    };
  }, [hash]);
  return (
    <canvas ref={canvas} className="album-blurhash" width={32} height={32} aria-hidden="true" />
  );
}

/** A file that is not a photo: its icon, name and size; tapping downloads it. */
function FileCard({ file }: { file: FileInfo }) {
  const { t, i18n } = useTranslation();
  const link = useFileLink(file.id);
  const extension = /\.([a-z0-9]{1,5})$/i.exec(file.name)?.[1]?.toUpperCase();
  return (
    <a
      className={link ? 'file-card' : 'file-card loading'}
      href={link?.url}
      download={file.name}
      aria-disabled={link ? undefined : true}
      title={t('files.download', { name: file.name })}
    >
      <span className="file-card-icon" aria-hidden="true">
        <Icon name="file" size={26} />
        {extension && <span className="file-card-ext">{extension}</span>}
      </span>
      <span className="file-card-body">
        <span className="file-card-name">{file.name}</span>
        <span className="file-card-size">{formatBytes(file.size, i18n.language)}</span>
      </span>
      <span className="file-card-download" aria-hidden="true">
        <Icon name="download" size={20} />
      </span>
    </a>
  );
}
