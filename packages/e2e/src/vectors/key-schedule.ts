// key-schedule.json: a chain of epochs, each one's secrets derived from the one before.
import { getCiphersuiteNameFromId } from 'ts-mls/crypto/ciphersuite.js';
import { encodeGroupContext, type GroupContext } from 'ts-mls/groupContext.js';
import { initializeEpoch, mlsExporter } from 'ts-mls/keySchedule.js';
import { fromHex, OUR_SUITE_ID, ourSuite, sameBytes } from './check.js';

interface Epoch {
  tree_hash: string;
  commit_secret: string;
  psk_secret: string;
  confirmed_transcript_hash: string;
  group_context: string;
  joiner_secret: string;
  welcome_secret: string;
  init_secret: string;
  sender_data_secret: string;
  encryption_secret: string;
  exporter_secret: string;
  epoch_authenticator: string;
  external_secret: string;
  confirmation_key: string;
  membership_key: string;
  resumption_psk: string;
  external_pub: string;
  exporter: { label: string; context: string; length: number; secret: string };
}

export interface KeyScheduleVector {
  group_id: string;
  initial_init_secret: string;
  epochs: Epoch[];
}

export async function checkKeySchedule(v: KeyScheduleVector): Promise<void> {
  const cs = await ourSuite();
  let initSecret = fromHex(v.initial_init_secret);
  for (const [index, e] of v.epochs.entries()) {
    const context: GroupContext = {
      version: 'mls10',
      cipherSuite: getCiphersuiteNameFromId(OUR_SUITE_ID),
      groupId: fromHex(v.group_id),
      epoch: BigInt(index),
      treeHash: fromHex(e.tree_hash),
      confirmedTranscriptHash: fromHex(e.confirmed_transcript_hash),
      extensions: [],
    };
    const at = `epoch ${index}`;
    sameBytes(`${at} group_context`, encodeGroupContext(context), e.group_context);
    const epoch = await initializeEpoch(
      initSecret,
      fromHex(e.commit_secret),
      context,
      fromHex(e.psk_secret),
      cs.kdf,
    );
    const ks = epoch.keySchedule;
    sameBytes(`${at} joiner_secret`, epoch.joinerSecret, e.joiner_secret);
    sameBytes(`${at} welcome_secret`, epoch.welcomeSecret, e.welcome_secret);
    sameBytes(`${at} encryption_secret`, epoch.encryptionSecret, e.encryption_secret);
    sameBytes(`${at} init_secret`, ks.initSecret, e.init_secret);
    sameBytes(`${at} sender_data_secret`, ks.senderDataSecret, e.sender_data_secret);
    sameBytes(`${at} exporter_secret`, ks.exporterSecret, e.exporter_secret);
    sameBytes(`${at} epoch_authenticator`, ks.epochAuthenticator, e.epoch_authenticator);
    sameBytes(`${at} external_secret`, ks.externalSecret, e.external_secret);
    sameBytes(`${at} confirmation_key`, ks.confirmationKey, e.confirmation_key);
    sameBytes(`${at} membership_key`, ks.membershipKey, e.membership_key);
    sameBytes(`${at} resumption_psk`, ks.resumptionPsk, e.resumption_psk);
    const external = await cs.hpke.deriveKeyPair(ks.externalSecret);
    sameBytes(
      `${at} external_pub`,
      await cs.hpke.exportPublicKey(external.publicKey),
      e.external_pub,
    );
    sameBytes(
      `${at} MLS-Exporter`,
      await mlsExporter(
        ks.exporterSecret,
        e.exporter.label,
        fromHex(e.exporter.context),
        e.exporter.length,
        cs,
      ),
      e.exporter.secret,
    );
    initSecret = ks.initSecret;
  }
}
