import { LIMITS, PROFILE_PHOTO_TYPES, type Me } from '@tokki/protocol';
import { TokkiError } from '@tokki/sdk';

/** A profile picture's address: `small` is a square thumbnail, `large` the full picture. */
export function photoUrl(photo: string, size: 'small' | 'large' = 'small'): string {
  return `/v1/photos/${encodeURIComponent(photo)}?size=${size}`;
}

/** What is wrong with a file before it is sent, in the server's error codes. */
export function checkPhoto(file: File): 'PAYLOAD_TOO_LARGE' | 'INVALID_PARAMS' | undefined {
  if (!(PROFILE_PHOTO_TYPES as readonly string[]).includes(file.type)) return 'INVALID_PARAMS';
  if (file.size > LIMITS.PROFILE_PHOTO_MAX_BYTES) return 'PAYLOAD_TOO_LARGE';
  return undefined;
}

/**
 * Sends a new profile picture (`POST /v1/profile/photo`, the image as the body). XMLHttpRequest,
 * not fetch: only it reports upload progress. Resolves with the updated profile.
 */
export function uploadPhoto(
  file: File,
  token: string,
  onProgress: (fraction: number) => void,
): Promise<Me> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/v1/profile/photo');
    request.setRequestHeader('authorization', `Bearer ${token}`);
    request.setRequestHeader('content-type', file.type);
    request.responseType = 'text';
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onerror = () => reject(TokkiError.connection('The picture could not be sent'));
    request.ontimeout = request.onerror;
    request.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // A proxy's own page (a body size limit, most likely): no Tokki error to read.
        reject(
          request.status === 413
            ? new TokkiError('PAYLOAD_TOO_LARGE', 'Too large', { status: 413 })
            : new TokkiError('INTERNAL', `Unexpected response (${request.status})`, {
                status: request.status,
              }),
        );
        return;
      }
      if (request.status >= 200 && request.status < 300) resolve(body as Me);
      else reject(TokkiError.fromBody((body as { error?: unknown }).error, request.status));
    };
    request.send(file);
  });
}
