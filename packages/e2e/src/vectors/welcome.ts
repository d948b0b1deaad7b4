// welcome.json: a Welcome for a key package; we find our secrets, decrypt the GroupInfo and
// check its confirmation tag and its signer's signature.
import { decodeMlsMessage } from 'ts-mls/message.js';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { decryptGroupInfo, decryptGroupSecrets } from 'ts-mls/welcome.js';
import { verifyGroupInfoConfirmationTag, verifyGroupInfoSignature } from 'ts-mls/groupInfo.js';
import { decoded, fromHex, holds, ourSuite, toHex } from './check.js';

export interface WelcomeVector {
  init_priv: string;
  signer_pub: string;
  key_package: string;
  welcome: string;
}

export async function checkWelcome(v: WelcomeVector): Promise<void> {
  const cs = await ourSuite();
  const welcomeMessage = decoded('welcome', decodeMlsMessage(fromHex(v.welcome), 0));
  const keyPackageMessage = decoded('key_package', decodeMlsMessage(fromHex(v.key_package), 0));
  if (welcomeMessage.wireformat !== 'mls_welcome') throw new Error('welcome is not a Welcome');
  if (keyPackageMessage.wireformat !== 'mls_key_package') throw new Error('not a key package');
  const welcome = welcomeMessage.welcome;
  const ref = await makeKeyPackageRef(keyPackageMessage.keyPackage, cs.hash);
  holds(
    'the Welcome names our key package',
    welcome.secrets.some((secret) => toHex(secret.newMember) === toHex(ref)),
  );
  const initKey = await cs.hpke.importPrivateKey(fromHex(v.init_priv));
  const secrets = await decryptGroupSecrets(initKey, ref, welcome, cs.hpke);
  if (secrets === undefined) throw new Error('group secrets do not decrypt');
  const noPsk = new Uint8Array(cs.kdf.size);
  const groupInfo = await decryptGroupInfo(welcome, secrets.joinerSecret, noPsk, cs);
  if (groupInfo === undefined) throw new Error('group info does not decrypt');
  holds(
    'GroupInfo confirmation tag',
    await verifyGroupInfoConfirmationTag(groupInfo, secrets.joinerSecret, noPsk, cs),
  );
  holds(
    'GroupInfo signature',
    await verifyGroupInfoSignature(groupInfo, fromHex(v.signer_pub), cs.signature),
  );
}
