import { encode as encodeBlurhash } from 'blurhash';
import sharp, { type Sharp } from 'sharp';
import { ApiError } from '../errors.js';

/** Sniffed types that are decoded and stored re-encoded; any other type is kept as a file. */
export const IMAGE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/heic',
  'image/heif',
  'image/avif',
]);

/** Longest side of a thumbnail, in pixels. */
export const THUMB_EDGE = 320;
/**
 * Larger images are refused before decoding (a 30,000 × 30,000 PNG is a few KB of zeros); 100
 * megapixels is more than any phone camera's default output.
 */
export const MAX_IMAGE_PIXELS = 100_000_000;

export interface ProcessedImage {
  full: { data: Buffer; mime: string };
  thumb: { data: Buffer; mime: string };
  blurhash: string;
  width: number;
  height: number;
}

/**
 * What others get of an uploaded photo: decoded and re-encoded, turned upright by its EXIF
 * orientation, with no metadata at all (EXIF with its GPS position, XMP, IPTC, comments) — sharp
 * writes none unless asked. Re-encoding rather than cutting metadata blocks out of the file also
 * drops whatever hides in places a block-stripper does not know. HEIF/AVIF become JPEG, which
 * every browser shows; GIFs and WebPs keep their animation.
 */
export async function processImage(path: string): Promise<ProcessedImage> {
  try {
    const metadata = await sharp(path, { limitInputPixels: MAX_IMAGE_PIXELS }).metadata();
    const animated = (metadata.pages ?? 1) > 1 && ['gif', 'webp'].includes(metadata.format ?? '');
    const input = sharp(path, {
      limitInputPixels: MAX_IMAGE_PIXELS,
      failOn: 'error',
      animated,
    });
    // Animations carry no EXIF orientation; a still image is turned upright by it.
    const upright = animated ? input : input.rotate();
    // The thumbnail and the placeholder show an animation's first frame.
    const firstFrame = animated
      ? sharp(path, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' })
      : upright;

    const fullPipeline = encodeFull(upright.clone(), metadata.format, Boolean(metadata.hasAlpha));
    const [full, thumb, blurhash] = await Promise.all([
      fullPipeline.pipeline.toBuffer({ resolveWithObject: true }),
      firstFrame
        .clone()
        .resize(THUMB_EDGE, THUMB_EDGE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 70 })
        .toBuffer(),
      placeholder(firstFrame.clone()),
    ]);
    const height = animated ? (full.info.pageHeight ?? full.info.height) : full.info.height;
    return {
      full: { data: full.data, mime: fullPipeline.mime },
      thumb: { data: thumb, mime: 'image/webp' },
      blurhash,
      width: full.info.width,
      height,
    };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const message = error instanceof Error ? error.message : '';
    if (/pixel limit/i.test(message))
      throw new ApiError(
        'INVALID_PARAMS',
        `The image has more than ${MAX_IMAGE_PIXELS / 1_000_000} megapixels.`,
      );
    // Corrupt or truncated data, or a codec this build of libvips lacks (HEVC-coded HEIC).
    throw new ApiError(
      'INVALID_PARAMS',
      'The image is corrupt or in a format that cannot be read.',
    );
  }
}

function encodeFull(
  image: Sharp,
  format: string | undefined,
  hasAlpha: boolean,
): { pipeline: Sharp; mime: string } {
  switch (format) {
    case 'png':
      return { pipeline: image.png(), mime: 'image/png' };
    case 'webp':
      return { pipeline: image.webp({ quality: 85 }), mime: 'image/webp' };
    case 'gif':
      return { pipeline: image.gif(), mime: 'image/gif' };
    case 'jpeg':
      return { pipeline: image.jpeg({ quality: 88, mozjpeg: true }), mime: 'image/jpeg' };
    default:
      // HEIF and AVIF: JPEG, on white where they were transparent.
      return {
        pipeline: (hasAlpha ? image.flatten({ background: '#ffffff' }) : image).jpeg({
          quality: 88,
          mozjpeg: true,
        }),
        mime: 'image/jpeg',
      };
  }
}

/** A BlurHash of the image, from a 32-pixel miniature: 4 × 3 components, or 3 × 4 if tall. */
async function placeholder(image: Sharp): Promise<string> {
  const { data, info } = await image
    .resize(32, 32, { fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const wide = info.width >= info.height;
  return encodeBlurhash(
    new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
    info.width,
    info.height,
    wide ? 4 : 3,
    wide ? 3 : 4,
  );
}
