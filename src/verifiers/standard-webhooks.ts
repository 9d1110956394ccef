import { concatBytes, fromBase64, toBase64, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import { configInvariant } from '../errors.js'
import { bodyBytes } from '../request.js'
import {
  checkTimestamp,
  checkTolerance,
  decodeSignature,
  fail,
  hmacMatches,
  MAX_SIGNATURE_ENTRIES,
  parseInteger,
  RAW_BODY_HINT,
  type SchemeResult,
  type Secret,
  type Secrets,
  secretList,
  type ToleranceOptions,
  tooManySignatures,
} from './shared.js'

/**
 * How a Standard Webhooks secret is turned into key bytes:
 * `'base64'` strips `whsec_` and base64-decodes (the spec, Svix, Clerk, Resend);
 * `'raw'` uses the UTF-8 bytes of the secret as shown (Polar).
 */
export type StandardWebhooksSecretFormat = 'base64' | 'raw'

/** Decodes Standard Webhooks secrets to HMAC keys. Throws `WebhookConfigError` for a secret that is not base64. */
export function standardWebhooksKeys(
  secret: Secrets,
  format: StandardWebhooksSecretFormat = 'base64',
  provider?: string,
): Uint8Array[] {
  const list = secretList(secret, provider)
  if (format === 'raw') return list
  const texts = (Array.isArray(secret) ? secret : [secret]) as readonly Secret[]
  return texts.map((item, index) => {
    if (typeof item !== 'string') return list[index] as Uint8Array
    const body = item.startsWith('whsec_') ? item.slice(6) : item
    const key = fromBase64(body)
    configInvariant(
      key !== undefined && key.length > 0,
      'the signing secret is not a `whsec_…` base64 secret. Copy it whole from the dashboard, or set `secretFormat: "raw"` if your provider uses the secret as plain text (Polar does).',
      provider,
    )
    return key
  })
}

/** Decodes `whpk_…` (or bare base64) Ed25519 public keys for `v1a` signatures. */
export function standardWebhooksPublicKeys(publicKey: Secrets, provider?: string): Uint8Array[] {
  const texts = (Array.isArray(publicKey) ? publicKey : [publicKey]) as readonly Secret[]
  secretList(publicKey, provider, 'publicKey')
  return texts.map((item) => {
    const key = typeof item === 'string' ? fromBase64(item.startsWith('whpk_') ? item.slice(5) : item) : item
    configInvariant(
      key !== undefined && key.length === 32,
      '`publicKey` is not a 32-byte Ed25519 key (`whpk_…` base64).',
      provider,
    )
    return key
  })
}

/** Options of {@link verifyStandardWebhooks}. */
export interface StandardWebhooksOptions extends ToleranceOptions {
  payload: Uint8Array | string
  /** `webhook-id` (or `svix-id`) header. */
  id: string | undefined
  /** `webhook-timestamp` header, unix seconds. */
  timestamp: string | undefined
  /** `webhook-signature` header: space-separated `v1,<base64>` / `v1a,<base64>` entries. */
  signature: string | undefined
  /** HMAC secret(s) for `v1` entries: `whsec_…` strings, or key bytes. */
  secret?: Secrets
  /** How string secrets are decoded. @default 'base64' */
  secretFormat?: StandardWebhooksSecretFormat
  /** Ed25519 public key(s) for `v1a` entries: `whpk_…` strings, or 32 key bytes. */
  publicKey?: Secrets
  now: number
  provider?: string
}

const DEFAULT_TOLERANCE_MS = 300_000

/**
 * Verifies a Standard Webhooks request (`v1` HMAC-SHA256 and `v1a` Ed25519 over
 * `id.timestamp.body`). Any entry of the header may match any key. The timestamp is checked in
 * both directions (default 5 minutes, as the reference libraries do).
 *
 * @example
 * import { verifyStandardWebhooks } from 'webhook-inbox/verifiers'
 * const result = await verifyStandardWebhooks({ payload: rawBody, id: h['webhook-id'],
 *   timestamp: h['webhook-timestamp'], signature: h['webhook-signature'], secret: 'whsec_…', now: Date.now() })
 */
export async function verifyStandardWebhooks(
  options: StandardWebhooksOptions,
): Promise<SchemeResult<{ timestamp: number }>> {
  const { provider } = options
  configInvariant(
    options.secret !== undefined || options.publicKey !== undefined,
    '`secret` is missing: pass the endpoint signing secret (`whsec_…`), or `publicKey` for Ed25519 (`v1a`) endpoints.',
    provider,
  )
  const keys = options.secret === undefined ? [] : standardWebhooksKeys(options.secret, options.secretFormat, provider)
  const publicKeys = options.publicKey === undefined ? [] : standardWebhooksPublicKeys(options.publicKey, provider)
  const tolerance = checkTolerance(options.toleranceMs, DEFAULT_TOLERANCE_MS, provider)

  // Signed exactly as sent: a trimmed id would verify a header the dedupe key reads differently.
  const id = options.id
  const timestampText = options.timestamp?.trim()
  const header = options.signature?.trim()
  if (!header) return fail('missing_signature', 'the webhook-signature header is missing.', provider)
  if (!id) return fail('missing_header', 'the webhook-id header is missing.', provider)
  if (id.includes('.')) return fail('malformed_signature', 'the webhook-id header contains a ".".', provider)
  if (!timestampText) return fail('missing_timestamp', 'the webhook-timestamp header is missing.', provider)
  const seconds = parseInteger(timestampText)
  if (seconds === undefined)
    return fail('malformed_timestamp', 'the webhook-timestamp header is not unix seconds.', provider)
  const stale = checkTimestamp(seconds * 1000, options.now, tolerance, provider)
  if (stale) return stale

  const hmacCandidates: Uint8Array[] = []
  const edCandidates: Uint8Array[] = []
  const entries = header.split(' ')
  if (entries.length > MAX_SIGNATURE_ENTRIES) return tooManySignatures('the webhook-signature header', provider)
  for (const entry of entries) {
    const comma = entry.indexOf(',')
    if (comma < 0) continue
    const version = entry.slice(0, comma)
    const value = decodeSignature(entry.slice(comma + 1), 'base64')
    if (!value) continue
    if (version === 'v1' && value.length === 32) hmacCandidates.push(value)
    else if (version === 'v1a' && value.length === 64) edCandidates.push(value)
  }
  if (hmacCandidates.length + edCandidates.length === 0) {
    return fail('malformed_signature', 'the webhook-signature header has no readable v1 or v1a entry.', provider)
  }
  const prefix = utf8(`${id}.${timestampText}.`)
  const body = bodyBytes(options.payload)
  const matched =
    keys.length > 0 && hmacCandidates.length > 0 && hmacMatches('sha256', keys, body, hmacCandidates, prefix)
  let ok = typeof matched === 'boolean' ? matched : await matched
  // Ed25519 signs one buffer: copied together only when a v1a entry is there to check.
  const message = edCandidates.length > 0 && publicKeys.length > 0 ? concatBytes(prefix, body) : body
  for (const publicKey of publicKeys) {
    for (const candidate of edCandidates) {
      if (!ok && (await getCrypto().verifyEd25519(publicKey, candidate, message))) ok = true
    }
  }
  return ok
    ? { ok: true, timestamp: seconds * 1000 }
    : fail('invalid_signature', `no entry of the webhook-signature header matches. ${RAW_BODY_HINT}`, provider)
}

/** Builds a `webhook-signature` value (`v1,<base64>`, one entry per secret) that {@link verifyStandardWebhooks} accepts. */
export async function signStandardWebhooks(options: {
  payload: Uint8Array | string
  id: string
  /** Unix seconds. */
  timestamp: number
  secret: Secret | readonly Secret[]
  secretFormat?: StandardWebhooksSecretFormat
}): Promise<string> {
  const keys = standardWebhooksKeys(options.secret as Secrets, options.secretFormat)
  const message = concatBytes(utf8(`${options.id}.${options.timestamp}.`), bodyBytes(options.payload))
  const entries: string[] = []
  for (const key of keys) entries.push(`v1,${toBase64(await getCrypto().hmac('SHA-256', key, message))}`)
  return entries.join(' ')
}
