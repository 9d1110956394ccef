import { concatBytes, fromBase64, fromHex, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import { configInvariant } from '../errors.js'
import { bodyBytes } from '../request.js'
import { pemToDer } from './asn1.js'
import {
  checkTimestamp,
  fail,
  parseInteger,
  presentEntries,
  RAW_BODY_HINT,
  type SchemeResult,
  type ToleranceOptions,
} from './shared.js'

/** An Ed25519 public key: hex (as Discord shows it), base64, a PEM `PUBLIC KEY`, or 32 bytes. */
export type Ed25519PublicKey = string | Uint8Array

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4): SEQUENCE, AlgorithmIdentifier 1.3.101.112, BIT STRING.
const ED25519_SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00)

function decodeEd25519Key(key: Ed25519PublicKey): Uint8Array | undefined {
  if (key instanceof Uint8Array) return key.length === 32 ? key : undefined
  const text = key.trim()
  if (text.includes('-----BEGIN')) {
    const der = pemToDer(text, 'PUBLIC KEY')
    if (der?.length !== 44) return undefined
    for (let i = 0; i < ED25519_SPKI_PREFIX.length; i++) if (der[i] !== ED25519_SPKI_PREFIX[i]) return undefined
    return der.slice(12)
  }
  const decoded = /^[0-9a-f]{64}$/i.test(text) ? fromHex(text) : fromBase64(text)
  return decoded?.length === 32 ? decoded : undefined
}

/**
 * Decodes Ed25519 public keys once, at setup. A key that is not 32 bytes in hex, base64 or PEM
 * throws `WebhookConfigError`.
 */
export function ed25519PublicKeys(
  publicKey: Ed25519PublicKey | undefined | readonly (Ed25519PublicKey | undefined)[],
  provider?: string,
  option = 'publicKey',
): Uint8Array[] {
  const list = presentEntries(publicKey)
  configInvariant(
    list.length > 0,
    `\`${option}\` is missing. Pass the application's Ed25519 public key (hex, as the dashboard shows it).`,
    provider,
  )
  return list.map((item, index) => {
    const key = typeof item === 'string' || item instanceof Uint8Array ? decodeEd25519Key(item) : undefined
    configInvariant(
      key,
      `\`${option}\`${list.length > 1 ? `[${index}]` : ''} is not an Ed25519 public key: expected 64 hex characters (32 bytes), base64 or a PEM "PUBLIC KEY".`,
      provider,
    )
    return key
  })
}

/** Options of {@link verifyEd25519}. */
export interface Ed25519SchemeOptions {
  /** The exact signed bytes. */
  message: Uint8Array
  /** The signature as received. */
  signature: string | undefined
  /** Keys from {@link ed25519PublicKeys}; a signature by any of them is accepted. */
  publicKey: readonly Uint8Array[]
  /** How the signature is written. @default 'hex' */
  encoding?: 'hex' | 'base64'
  provider?: string
}

/**
 * Verifies an Ed25519 signature over `message` with any of several public keys.
 *
 * @example
 * import { ed25519PublicKeys, verifyEd25519 } from 'webhook-inbox/verifiers'
 * const keys = ed25519PublicKeys(process.env.PUBLIC_KEY)
 * const result = await verifyEd25519({ message, signature, publicKey: keys })
 */
export async function verifyEd25519(options: Ed25519SchemeOptions): Promise<SchemeResult> {
  const { provider, encoding = 'hex' } = options
  const text = options.signature?.trim()
  if (!text) return fail('missing_signature', 'the Ed25519 signature header is missing.', provider)
  const signature = encoding === 'hex' ? fromHex(text) : fromBase64(text)
  if (signature?.length !== 64) {
    return fail('malformed_signature', `the signature is not a ${encoding} Ed25519 signature (64 bytes).`, provider)
  }
  const crypto = getCrypto()
  let ok = false
  for (const key of options.publicKey) {
    if (await crypto.verifyEd25519(key, signature, options.message)) ok = true
  }
  return ok
    ? { ok: true }
    : fail('invalid_signature', `the Ed25519 signature does not match. ${RAW_BODY_HINT}`, provider)
}

/** Options of {@link verifyTimestampedEd25519}. */
export interface TimestampedEd25519Options extends ToleranceOptions {
  /** The raw body. */
  payload: Uint8Array | string
  /** Hex signature header (`X-Signature-Ed25519`). */
  signature: string | undefined
  /** Timestamp header in Unix seconds (`X-Signature-Timestamp`). */
  timestamp: string | undefined
  publicKey: readonly Uint8Array[]
  /** Current time, epoch ms. */
  now: number
  provider?: string
}

/**
 * Discord's construction: Ed25519 over the timestamp header's text followed by the raw body,
 * hex signature (discord-interactions verifyKey). The timestamp is also checked against `now`
 * in both directions (`toleranceMs`, default 300000), which Discord's SDK does not do.
 *
 * @example
 * import { ed25519PublicKeys, verifyTimestampedEd25519 } from 'webhook-inbox/verifiers'
 * const result = await verifyTimestampedEd25519({ payload: rawBody, now: Date.now(),
 *   signature: req.headers['x-signature-ed25519'], timestamp: req.headers['x-signature-timestamp'],
 *   publicKey: ed25519PublicKeys(process.env.DISCORD_PUBLIC_KEY) })
 */
export async function verifyTimestampedEd25519(
  options: TimestampedEd25519Options,
): Promise<SchemeResult<{ timestamp: number; signedMaterial: Uint8Array }>> {
  const { provider } = options
  if (!options.signature?.trim()) return fail('missing_signature', 'the signature header is missing.', provider)
  const text = options.timestamp?.trim()
  if (!text) return fail('missing_timestamp', 'the timestamp header is missing.', provider)
  const seconds = parseInteger(text)
  if (seconds === undefined) return fail('malformed_timestamp', 'the timestamp header is not Unix seconds.', provider)
  const message = concatBytes(utf8(options.timestamp as string), bodyBytes(options.payload))
  const verified = await verifyEd25519({
    message,
    signature: options.signature,
    publicKey: options.publicKey,
    provider,
  })
  if (!verified.ok) return verified
  const timestamp = seconds * 1000
  const stale = checkTimestamp(timestamp, options.now, options.toleranceMs ?? 300_000, provider)
  return stale ?? { ok: true, timestamp, signedMaterial: message }
}
