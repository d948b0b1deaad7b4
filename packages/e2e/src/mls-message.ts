import { decodeMlsMessage, encodeMlsMessage, type MLSMessage } from 'ts-mls';
import { E2eError } from './errors.js';

/** Decodes one whole MLSMessage; trailing bytes, truncation or garbage are MALFORMED. */
export function decodeWholeMlsMessage(bytes: Uint8Array): MLSMessage {
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (decoded === undefined || decoded[1] !== bytes.length) {
    throw new E2eError('MALFORMED', 'not an MLS message');
  }
  if (decoded[0].version !== 'mls10') throw new E2eError('MALFORMED', 'not MLS 1.0');
  return decoded[0];
}

export { encodeMlsMessage };
