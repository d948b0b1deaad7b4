// messages.json: every MLS structure, decoded and encoded again to the same bytes.
import { decodeMlsMessage, encodeMlsMessage } from 'ts-mls/message.js';
import type { Decoder } from 'ts-mls/codec/tlsDecoder.js';
import type { Encoder } from 'ts-mls/codec/tlsEncoder.js';
import { decodeCommit, encodeCommit } from 'ts-mls/commit.js';
import { decodeGroupSecrets, encodeGroupSecrets } from 'ts-mls/groupSecrets.js';
import { decodeRatchetTree, encodeRatchetTree } from 'ts-mls/ratchetTree.js';
import {
  decodeAdd,
  decodeExternalInit,
  decodeGroupContextExtensions,
  decodePSK,
  decodeReinit,
  decodeRemove,
  decodeUpdate,
  encodeAdd,
  encodeExternalInit,
  encodeGroupContextExtensions,
  encodePSK,
  encodeReinit,
  encodeRemove,
  encodeUpdate,
} from 'ts-mls/proposal.js';
import { decoded, fromHex, same, sameBytes } from './check.js';

export interface MessagesVector {
  mls_welcome: string;
  mls_group_info: string;
  mls_key_package: string;
  ratchet_tree: string;
  group_secrets: string;
  add_proposal: string;
  update_proposal: string;
  remove_proposal: string;
  pre_shared_key_proposal: string;
  re_init_proposal: string;
  external_init_proposal: string;
  group_context_extensions_proposal: string;
  commit: string;
  public_message_application: string;
  public_message_proposal: string;
  public_message_commit: string;
  private_message: string;
}

/** The MLSMessage fields: their wire format, and for public messages their content type. */
const MLS_MESSAGES = {
  mls_welcome: ['mls_welcome'],
  mls_group_info: ['mls_group_info'],
  mls_key_package: ['mls_key_package'],
  public_message_application: ['mls_public_message', 'application'],
  public_message_proposal: ['mls_public_message', 'proposal'],
  public_message_commit: ['mls_public_message', 'commit'],
  private_message: ['mls_private_message'],
} as const;

export function checkMessages(v: MessagesVector): Promise<void> {
  for (const [field, [wireformat, contentType]] of Object.entries(MLS_MESSAGES) as [
    keyof typeof MLS_MESSAGES,
    readonly [string, string?],
  ][]) {
    const message = decoded(field, decodeMlsMessage(fromHex(v[field]), 0));
    same(`${field} wire format`, message.wireformat, wireformat);
    if (contentType !== undefined && message.wireformat === 'mls_public_message') {
      same(`${field} content type`, message.publicMessage.content.contentType, contentType);
    }
    sameBytes(`${field} re-encoded`, encodeMlsMessage(message), v[field]);
  }
  roundTrip('ratchet_tree', v.ratchet_tree, decodeRatchetTree, encodeRatchetTree);
  roundTrip('group_secrets', v.group_secrets, decodeGroupSecrets, encodeGroupSecrets);
  roundTrip('add_proposal', v.add_proposal, decodeAdd, encodeAdd);
  roundTrip('update_proposal', v.update_proposal, decodeUpdate, encodeUpdate);
  roundTrip('remove_proposal', v.remove_proposal, decodeRemove, encodeRemove);
  roundTrip('pre_shared_key_proposal', v.pre_shared_key_proposal, decodePSK, encodePSK);
  roundTrip('re_init_proposal', v.re_init_proposal, decodeReinit, encodeReinit);
  roundTrip(
    'external_init_proposal',
    v.external_init_proposal,
    decodeExternalInit,
    encodeExternalInit,
  );
  roundTrip(
    'group_context_extensions_proposal',
    v.group_context_extensions_proposal,
    decodeGroupContextExtensions,
    encodeGroupContextExtensions,
  );
  roundTrip('commit', v.commit, decodeCommit, encodeCommit);
  return Promise.resolve();
}

function roundTrip<T>(what: string, hex: string, decode: Decoder<T>, encode: Encoder<T>): void {
  const bytes = fromHex(hex);
  const result = decode(bytes, 0);
  same(`${what} consumed bytes`, result?.[1], bytes.length);
  sameBytes(`${what} re-encoded`, encode(decoded(what, result)), hex);
}
