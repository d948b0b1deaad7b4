// psk_secret.json: the psk_secret folded from a list of external pre-shared keys.
import { computePskSecret, type PreSharedKeyID } from 'ts-mls/presharedkey.js';
import { fromHex, ourSuite, sameBytes } from './check.js';

export interface PskSecretVector {
  psks: { psk_id: string; psk: string; psk_nonce: string }[];
  psk_secret: string;
}

export async function checkPskSecret(v: PskSecretVector): Promise<void> {
  const cs = await ourSuite();
  const psks: [PreSharedKeyID, Uint8Array][] = v.psks.map((p) => [
    { psktype: 'external', pskId: fromHex(p.psk_id), pskNonce: fromHex(p.psk_nonce) },
    fromHex(p.psk),
  ]);
  sameBytes(`psk_secret of ${psks.length} PSKs`, await computePskSecret(psks, cs), v.psk_secret);
}
