import sharp from 'sharp';
import { ApiError } from '../errors.js';

export type PhotoSize = 'large' | 'small';

/** Edge lengths of the square JPEGs a profile picture is stored as. */
export const PHOTO_EDGE: Record<PhotoSize, number> = { large: 640, small: 160 };

/** Larger images are refused before decoding (a 100-megapixel PNG is a few KB of zeros). */
const MAX_INPUT_PIXELS = 40_000_000;
const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'gif', 'heif', 'avif']);

/**
 * A profile picture as stored: centre-cropped squares, turned upright by its EXIF orientation,
 * re-encoded as JPEG, so none of the original's metadata (GPS above all) survives.
 */
export async function resizeProfilePhoto(image: Buffer): Promise<Record<PhotoSize, Buffer>> {
  let format: string | undefined;
  try {
    format = (await sharp(image, { limitInputPixels: MAX_INPUT_PIXELS }).metadata()).format;
  } catch {
    throw notAnImage();
  }
  if (!format || !ACCEPTED.has(format)) throw notAnImage();
  const square = (edge: number) =>
    sharp(image, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .rotate()
      .resize(edge, edge, { fit: 'cover', position: 'attention' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82, mozjpeg: true })
      .toBuffer();
  try {
    const [large, small] = await Promise.all([square(PHOTO_EDGE.large), square(PHOTO_EDGE.small)]);
    return { large, small };
  } catch {
    // Corrupt or truncated data, or more pixels than allowed.
    throw notAnImage();
  }
}

const notAnImage = () =>
  new ApiError('INVALID_PARAMS', 'Not a readable image (JPEG, PNG, WebP, GIF, HEIF or AVIF).');
