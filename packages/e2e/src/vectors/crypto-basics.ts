// crypto-basics.json: RFC 9420's labelled primitives (RefHash, ExpandWithLabel, DeriveSecret,
// DeriveTreeSecret, EncryptWithLabel, SignWithLabel) in ts-mls's implementation of our suite.
import { refhash } from 'ts-mls/crypto/hash.js';
import { deriveSecret, deriveTreeSecret, expandWithLabel } from 'ts-mls/crypto/kdf.js';
import { decryptWithLabel, encryptWithLabel } from 'ts-mls/crypto/hpke.js';
import { signWithLabel, verifyWithLabel } from 'ts-mls/crypto/signature.js';
import { fromHex, holds, ourSuite, sameBytes } from './check.js';

export interface CryptoBasicsVector {
  ref_hash: { label: string; value: string; out: string };
  expand_with_label: {
    secret: string;
    label: string;
    context: string;
    length: number;
    out: string;
  };
  derive_secret: { secret: string; label: string; out: string };
  derive_tree_secret: {
    secret: string;
    label: string;
    generation: number;
    length: number;
    out: string;
  };
  sign_with_label: { priv: string; pub: string; content: string; label: string; signature: string };
  encrypt_with_label: {
    priv: string;
    pub: string;
    label: string;
    context: string;
    plaintext: string;
    kem_output: string;
    ciphertext: string;
  };
}

export async function checkCryptoBasics(v: CryptoBasicsVector): Promise<void> {
  const cs = await ourSuite();
  const r = v.ref_hash;
  sameBytes('RefHash', await refhash(r.label, fromHex(r.value), cs.hash), r.out);

  const e = v.expand_with_label;
  sameBytes(
    'ExpandWithLabel',
    await expandWithLabel(fromHex(e.secret), e.label, fromHex(e.context), e.length, cs.kdf),
    e.out,
  );

  const d = v.derive_secret;
  sameBytes('DeriveSecret', await deriveSecret(fromHex(d.secret), d.label, cs.kdf), d.out);

  const t = v.derive_tree_secret;
  sameBytes(
    'DeriveTreeSecret',
    await deriveTreeSecret(fromHex(t.secret), t.label, t.generation, t.length, cs.kdf),
    t.out,
  );

  // Ed25519 is deterministic, so our signature must equal the vector's, and verify.
  const s = v.sign_with_label;
  holds(
    'VerifyWithLabel(vector signature)',
    await verifyWithLabel(
      fromHex(s.pub),
      s.label,
      fromHex(s.content),
      fromHex(s.signature),
      cs.signature,
    ),
  );
  const signature = await signWithLabel(fromHex(s.priv), s.label, fromHex(s.content), cs.signature);
  sameBytes('SignWithLabel', signature, s.signature);

  // HPKE is randomised: decrypt the vector's ciphertext, then round-trip one of our own.
  const h = v.encrypt_with_label;
  const privateKey = await cs.hpke.importPrivateKey(fromHex(h.priv));
  sameBytes(
    'DecryptWithLabel',
    await decryptWithLabel(
      privateKey,
      h.label,
      fromHex(h.context),
      fromHex(h.kem_output),
      fromHex(h.ciphertext),
      cs.hpke,
    ),
    h.plaintext,
  );
  const publicKey = await cs.hpke.importPublicKey(fromHex(h.pub));
  const ours = await encryptWithLabel(
    publicKey,
    h.label,
    fromHex(h.context),
    fromHex(h.plaintext),
    cs.hpke,
  );
  sameBytes(
    'EncryptWithLabel round trip',
    await decryptWithLabel(privateKey, h.label, fromHex(h.context), ours.enc, ours.ct, cs.hpke),
    h.plaintext,
  );
}
