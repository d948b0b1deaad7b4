import {
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type Capabilities,
  type CiphersuiteImpl,
} from 'ts-mls';

/** The one cipher suite Tokki speaks (ADR 008): X25519, AES-128-GCM, SHA-256, Ed25519. */
export const CIPHER_SUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519' as const;

/**
 * The `last_resort` KeyPackage extension (type 0x000A, IANA "MLS Extension Types", from the MLS
 * extensions draft; RFC 9420 §16.8 describes last-resort key packages without a code point).
 * ts-mls has no name for it but carries unknown extensions as numbers.
 */
export const LAST_RESORT_EXTENSION = 0x000a;

let suite: Promise<CiphersuiteImpl> | undefined;

/** ts-mls's implementation of our suite (WebCrypto where it can, @noble otherwise), made once. */
export function cipherSuite(): Promise<CiphersuiteImpl> {
  suite ??= getCiphersuiteImpl(getCiphersuiteFromName(CIPHER_SUITE));
  return suite;
}

/**
 * What every Tokki leaf says it supports: only our suite and basic credentials, so a group never
 * negotiates anything else; no GREASE, so leaves of one device look alike.
 */
export const CAPABILITIES: Capabilities = {
  versions: ['mls10'],
  ciphersuites: [CIPHER_SUITE],
  extensions: [LAST_RESORT_EXTENSION],
  proposals: [],
  credentials: ['basic'],
};
