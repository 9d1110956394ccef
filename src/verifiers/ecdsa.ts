import { derToRawEcdsa } from '../crypto/der.js'
import { fromBase64, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import { configInvariant } from '../errors.js'
import { bodyBytes } from '../request.js'
import { EC_OID, oidEquals, pemToDer, spkiAlgorithm } from './asn1.js'
import {
  checkTimestamp,
  fail,
  parseInteger,
  presentEntries,
  RAW_BODY_HINT,
  type SchemeResult,
  type ToleranceOptions,
  withJoinedSignedMaterial,
} from './shared.js'

/** An ECDSA P-256 public key: base64 SPKI DER (as SendGrid shows it), a PEM `PUBLIC KEY`, or DER bytes. */
export type EcdsaPublicKey = string | Uint8Array

// id-ecPublicKey + prime256v1, uncompressed point: the fixed 27-byte head of every P-256 SPKI (RFC 5480).
const P256_SPKI_HEAD = Uint8Array.of(
  0x30,
  0x59,
  0x30,
  0x13,
  0x06,
  0x07,
  0x2a,
  0x86,
  0x48,
  0xce,
  0x3d,
  0x02,
  0x01,
  0x06,
  0x08,
  0x2a,
  0x86,
  0x48,
  0xce,
  0x3d,
  0x03,
  0x01,
  0x07,
  0x03,
  0x42,
  0x00,
  0x04,
)

function decodeP256Key(key: EcdsaPublicKey): Uint8Array | undefined {
  const der =
    key instanceof Uint8Array
      ? key
      : key.includes('-----BEGIN')
        ? pemToDer(key, 'PUBLIC KEY')
        : fromBase64(key.trim().replace(/\s+/g, ''))
  if (der?.length !== 91 || !oidEquals(spkiAlgorithm(der), EC_OID)) return undefined
  for (let i = 0; i < P256_SPKI_HEAD.length; i++) if (der[i] !== P256_SPKI_HEAD[i]) return undefined
  return der
}

/**
 * Decodes ECDSA P-256 public keys once, at setup. Anything that is not a P-256 SubjectPublicKeyInfo
 * throws `WebhookConfigError`.
 */
export function ecdsaP256PublicKeys(
  publicKey: EcdsaPublicKey | undefined | readonly (EcdsaPublicKey | undefined)[],
  provider?: string,
  option = 'publicKey',
): Uint8Array[] {
  const list = presentEntries(publicKey)
  configInvariant(
    list.length > 0,
    `\`${option}\` is missing. Pass the verification key (base64) from the provider's dashboard.`,
    provider,
  )
  return list.map((item, index) => {
    const key = typeof item === 'string' || item instanceof Uint8Array ? decodeP256Key(item) : undefined
    configInvariant(
      key,
      `\`${option}\`${list.length > 1 ? `[${index}]` : ''} is not an ECDSA P-256 public key (base64 SubjectPublicKeyInfo, as SendGrid shows it, or PEM).`,
      provider,
    )
    return key
  })
}

/** Options of {@link verifyTimestampedEcdsa}. */
export interface TimestampedEcdsaOptions extends ToleranceOptions {
  /** The raw body. */
  payload: Uint8Array | string
  /** Base64 signature (DER, or raw r||s). */
  signature: string | undefined
  /** Timestamp header, Unix seconds. */
  timestamp: string | undefined
  /** Keys from {@link ecdsaP256PublicKeys}. */
  publicKey: readonly Uint8Array[]
  /** Current time, epoch ms. */
  now: number
  provider?: string
}

/**
 * SendGrid's construction: ECDSA P-256 / SHA-256 over the timestamp header's text followed by
 * the raw body, base64 DER signature (@sendgrid/eventwebhook verifySignature). The timestamp is
 * also checked against `now` in both directions (`toleranceMs`, default 300000), which SendGrid's
 * SDK does not do.
 *
 * @example
 * import { ecdsaP256PublicKeys, verifyTimestampedEcdsa } from 'webhook-inbox/verifiers'
 * const result = await verifyTimestampedEcdsa({ payload: rawBody, now: Date.now(),
 *   signature: req.headers['x-twilio-email-event-webhook-signature'],
 *   timestamp: req.headers['x-twilio-email-event-webhook-timestamp'],
 *   publicKey: ecdsaP256PublicKeys(process.env.SENDGRID_VERIFICATION_KEY) })
 */
export async function verifyTimestampedEcdsa(
  options: TimestampedEcdsaOptions,
): Promise<SchemeResult<{ timestamp: number; signedMaterial: Uint8Array }>> {
  const { provider } = options
  const text = options.signature?.trim()
  if (!text) return fail('missing_signature', 'the signature header is missing.', provider)
  const stamp = options.timestamp?.trim()
  if (!stamp) return fail('missing_timestamp', 'the timestamp header is missing.', provider)
  const seconds = parseInteger(stamp)
  if (seconds === undefined) return fail('malformed_timestamp', 'the timestamp header is not Unix seconds.', provider)
  const signature = fromBase64(text)
  // DER only, as @sendgrid/eventwebhook (starkbank-ecdsa `Signature.fromDer`): a raw r||s, which
  // the crypto back ends would also take, is not what SendGrid sends.
  if (!signature || signature.length < 8 || signature.length > 72 || !derToRawEcdsa(signature)) {
    return fail('malformed_signature', 'the signature is not a base64 DER ECDSA signature.', provider)
  }
  // The timestamp is signed before the body: passed as a prefix, so the body is not copied.
  const prefix = utf8(options.timestamp as string)
  const body = bodyBytes(options.payload)
  const crypto = getCrypto()
  let ok = false
  for (const key of options.publicKey) {
    if (await crypto.verifyEcdsaP256(key, signature, body, prefix)) ok = true
  }
  if (!ok) return fail('invalid_signature', `the ECDSA signature does not match. ${RAW_BODY_HINT}`, provider)
  const timestamp = seconds * 1000
  const stale = checkTimestamp(timestamp, options.now, options.toleranceMs ?? 300_000, provider)
  return stale ?? withJoinedSignedMaterial({ ok: true as const, timestamp }, prefix, body)
}
