// passive-client-welcome.json and passive-client-handling-commit.json: a client joins from a
// Welcome with the vector's private keys, then processes every epoch's proposals and commit;
// its epoch authenticator must match after the join and after each commit. This is the path a
// Tokki device takes in a secret chat (ts-mls's joinGroup and processMessage).
import { decodeMlsMessage } from 'ts-mls/message.js';
import { decodeRatchetTree } from 'ts-mls/ratchetTree.js';
import { joinGroup, makePskIndex, type ClientState } from 'ts-mls/clientState.js';
import { processPrivateMessage, processPublicMessage } from 'ts-mls/processMessages.js';
import { bytesToBase64 } from 'ts-mls/util/byteArray.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { decoded, fromHex, ourSuite, sameBytes, toHex } from './check.js';

export interface PassiveClientVector {
  external_psks: { psk_id: string; psk: string }[];
  key_package: string;
  signature_priv: string;
  encryption_priv: string;
  init_priv: string;
  welcome: string;
  ratchet_tree: string | null;
  initial_epoch_authenticator: string;
  epochs: { proposals: string[]; commit: string; epoch_authenticator: string }[];
}

export async function checkPassiveClient(v: PassiveClientVector): Promise<void> {
  const cs = await ourSuite();
  const keyPackageMessage = decoded('key_package', decodeMlsMessage(fromHex(v.key_package), 0));
  const welcomeMessage = decoded('welcome', decodeMlsMessage(fromHex(v.welcome), 0));
  if (keyPackageMessage.wireformat !== 'mls_key_package') throw new Error('not a key package');
  if (welcomeMessage.wireformat !== 'mls_welcome') throw new Error('not a Welcome');
  const keyPackage = keyPackageMessage.keyPackage;

  // The private keys belong to the key package.
  sameBytes('init key', keyPackage.initKey, toHex(x25519.getPublicKey(fromHex(v.init_priv))));
  sameBytes(
    'leaf encryption key',
    keyPackage.leafNode.hpkePublicKey,
    toHex(x25519.getPublicKey(fromHex(v.encryption_priv))),
  );
  sameBytes(
    'signature key',
    keyPackage.leafNode.signaturePublicKey,
    toHex(ed25519.getPublicKey(fromHex(v.signature_priv))),
  );

  const psks: Record<string, Uint8Array> = {};
  for (const psk of v.external_psks) psks[bytesToBase64(fromHex(psk.psk_id))] = fromHex(psk.psk);
  const tree =
    v.ratchet_tree === null
      ? undefined
      : decoded('ratchet_tree', decodeRatchetTree(fromHex(v.ratchet_tree), 0));

  let state: ClientState = await joinGroup(
    welcomeMessage.welcome,
    keyPackage,
    {
      initPrivateKey: fromHex(v.init_priv),
      hpkePrivateKey: fromHex(v.encryption_priv),
      signaturePrivateKey: fromHex(v.signature_priv),
    },
    makePskIndex(undefined, psks),
    cs,
    tree,
  );
  sameBytes(
    'epoch authenticator after joining',
    state.keySchedule.epochAuthenticator,
    v.initial_epoch_authenticator,
  );

  for (const [index, epoch] of v.epochs.entries()) {
    for (const hex of [...epoch.proposals, epoch.commit]) {
      const message = decoded(`epoch ${index} message`, decodeMlsMessage(fromHex(hex), 0));
      if (message.wireformat === 'mls_private_message') {
        state = (
          await processPrivateMessage(state, message.privateMessage, makePskIndex(state, psks), cs)
        ).newState;
      } else if (message.wireformat === 'mls_public_message') {
        state = (
          await processPublicMessage(state, message.publicMessage, makePskIndex(state, psks), cs)
        ).newState;
      } else {
        throw new Error(`epoch ${index}: a ${message.wireformat} is not a handshake message`);
      }
    }
    sameBytes(
      `epoch authenticator after commit ${index}`,
      state.keySchedule.epochAuthenticator,
      epoch.epoch_authenticator,
    );
  }
}
