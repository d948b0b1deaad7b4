import sharp from 'sharp';

/** Longest side of a stored preview image: a card is at most ~400 CSS pixels wide, at 2×. */
export const PREVIEW_IMAGE_EDGE = 800;
/** Larger images are refused before decoding (a few KB of PNG can claim a huge canvas). */
export const PREVIEW_IMAGE_MAX_PIXELS = 40_000_000;

export interface PreviewImage {
  data: Buffer;
  mime: 'image/webp';
}

/**
 * A fetched preview image as Tokki serves it: decoded and re-encoded as a still WebP (its first
 * frame), turned upright, at most PREVIEW_IMAGE_EDGE a side, with no metadata. Re-encoding is
 * what makes bytes from a stranger's site safe to serve: whatever hid in the file (EXIF, a
 * polyglot, a tracking payload) does not survive. Undefined when the bytes are not an image
 * libvips can read, or are too large a canvas.
 */
export async function toPreviewImage(bytes: Buffer): Promise<PreviewImage | undefined> {
  try {
    const data = await sharp(bytes, { limitInputPixels: PREVIEW_IMAGE_MAX_PIXELS, failOn: 'error' })
      .rotate()
      .resize(PREVIEW_IMAGE_EDGE, PREVIEW_IMAGE_EDGE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    return { data, mime: 'image/webp' };
  } catch {
    return undefined;
  }
}
