// transcript-hashes.json: a commit's confirmation tag, and the confirmed and interim transcript
// hashes after it.
import { decodeAuthenticatedContent } from 'ts-mls/authenticatedContent.js';
import { createConfirmedHash, createInterimHash } from 'ts-mls/transcriptHash.js';
import { decoded, fromHex, holds, ourSuite, sameBytes } from './check.js';

export interface TranscriptHashesVector {
  confirmation_key: string;
  authenticated_content: string;
  interim_transcript_hash_before: string;
  confirmed_transcript_hash_after: string;
  interim_transcript_hash_after: string;
}

export async function checkTranscriptHashes(v: TranscriptHashesVector): Promise<void> {
  const cs = await ourSuite();
  const content = decoded(
    'authenticated_content',
    decodeAuthenticatedContent(fromHex(v.authenticated_content), 0),
  );
  if (content.content.contentType !== 'commit' || content.auth.contentType !== 'commit') {
    throw new Error('authenticated_content is not a commit');
  }
  const tag = content.auth.confirmationTag;
  holds(
    'confirmation_tag = MAC(confirmation_key, confirmed_transcript_hash_after)',
    await cs.hash.verifyMac(
      fromHex(v.confirmation_key),
      tag,
      fromHex(v.confirmed_transcript_hash_after),
    ),
  );
  const confirmed = await createConfirmedHash(
    fromHex(v.interim_transcript_hash_before),
    { wireformat: content.wireformat, content: content.content, signature: content.auth.signature },
    cs.hash,
  );
  sameBytes('confirmed_transcript_hash_after', confirmed, v.confirmed_transcript_hash_after);
  sameBytes(
    'interim_transcript_hash_after',
    await createInterimHash(confirmed, tag, cs.hash),
    v.interim_transcript_hash_after,
  );
}
