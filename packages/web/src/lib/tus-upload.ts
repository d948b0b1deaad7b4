// Loaded on the first attachment only (import()): tus-js-client stays out of the first load.
import { TokkiError } from '@tokki/sdk';
import { Upload } from 'tus-js-client';

/** Parts sent per PATCH: a dropped connection costs at most one part, then the upload resumes. */
const CHUNK_BYTES = 8 * 1024 * 1024;

export interface RunningUpload {
  /** Resolves with the new file's id (`Tokki-File-Id`). */
  done: Promise<string>;
  /** Stops sending; the server forgets the partial upload after a day. */
  abort: () => void;
}

/**
 * Uploads a file to a chat through tus (`/v1/uploads`), in parts, retrying a dropped connection
 * from the server's offset; an upload of the same file cut off by a reload resumes too.
 */
export function startUpload(
  file: File,
  chatId: string,
  token: string,
  onProgress: (sent: number, total: number) => void,
): RunningUpload {
  let upload: Upload | undefined;
  const done = new Promise<string>((resolve, reject) => {
    upload = new Upload(file, {
      endpoint: `${location.origin}/v1/uploads`,
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      removeFingerprintOnSuccess: true,
      headers: { authorization: `Bearer ${token}` },
      metadata: {
        chatId,
        filename: file.name,
        ...(file.type && { filetype: file.type }),
      },
      onProgress,
      onError: (error) => reject(uploadError(error)),
      onSuccess: ({ lastResponse }) => {
        const fileId = lastResponse.getHeader('tokki-file-id');
        if (fileId) resolve(fileId);
        else reject(new TokkiError('INTERNAL', 'The server did not name the uploaded file.'));
      },
    });
    const started = upload;
    void started.findPreviousUploads().then(
      (previous) => {
        if (previous[0]) started.resumeFromPreviousUpload(previous[0]);
        started.start();
      },
      () => started.start(),
    );
  });
  return { done, abort: () => void upload?.abort(true).catch(() => undefined) };
}

/** tus-js-client's error carries the server's answer: turn it into the API's typed error. */
function uploadError(error: Error): Error {
  const response = (error as { originalResponse?: { getStatus(): number; getBody(): string } })
    .originalResponse;
  if (!response || response.getStatus() === 0) {
    return TokkiError.connection('The upload failed', error);
  }
  let body: { error?: unknown } | null = null;
  try {
    body = JSON.parse(response.getBody()) as { error?: unknown };
  } catch {
    // Not JSON: the status alone.
  }
  return TokkiError.fromBody(body?.error, response.getStatus());
}
