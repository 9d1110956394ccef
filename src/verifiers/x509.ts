import { fromBase64, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import type { HashAlgorithm } from '../crypto/types.js'
import { configInvariant } from '../errors.js'
import { bodyBytes } from '../request.js'
import { oidEquals, RSA_OID, readCertificate, spkiAlgorithm } from './asn1.js'
import {
  checkTimestamp,
  fail,
  parseUnverifiedJson,
  RAW_BODY_HINT,
  type SchemeResult,
  type ToleranceOptions,
} from './shared.js'

/** The part of a Fetch `Response` a certificate download needs. */
export interface CertificateResponse {
  ok: boolean
  status: number
  text(): Promise<string>
}

/** Downloads a certificate. Defaults to the global `fetch`; inject one to use a proxy or in tests. */
export type CertificateFetch = (url: string) => Promise<CertificateResponse>

/** Options of {@link certificateSource}. */
export interface CertificateSourceOptions {
  /** @default globalThis.fetch */
  fetch?: CertificateFetch
  /**
   * Decides whether a certificate URL may be fetched at all. Only `https:` URLs without
   * credentials or a non-default port reach it. This check is the security boundary: a request
   * that names its own certificate is only trusted when the URL belongs to the provider.
   */
  allow: (url: URL) => boolean
  /** Certificates kept, by URL (least recently used goes first). @default 32 */
  cacheSize?: number
  /**
   * How long one download (response and body) may take. A download past it counts as failed and
   * is not cached, so a hung certificate host cannot hold deliveries until the socket gives up.
   * @default 5000
   */
  timeoutMs?: number
  provider?: string
}

/** A certificate's RSA public key (SPKI DER), or why there is none. */
export type CertificateResult =
  | { ok: true; publicKey: Uint8Array }
  | { ok: false; error: import('../errors.js').WebhookVerificationError }

/** Gets the RSA public key of the certificate at a URL, checked against the allow-list and `now`. */
export type CertificateSource = (url: string, now: number) => Promise<CertificateResult>

/**
 * The global `fetch`, refusing redirects: an allowed host must serve the certificate itself,
 * never hand the download to another host. `undefined` where the runtime has no `fetch`.
 */
export function defaultFetch(): CertificateFetch | undefined {
  const global = globalThis.fetch
  if (typeof global !== 'function') return undefined
  return (url) => global(url, { redirect: 'error' })
}

/** Host patterns as the presets take them: exact host names or regular expressions. */
export type HostAllowList = readonly (string | RegExp)[]

/** Tests a host against an allow-list of exact names and patterns. */
export function hostAllowed(host: string, allowList: HostAllowList): boolean {
  const lower = host.toLowerCase()
  return allowList.some((entry) => (typeof entry === 'string' ? entry.toLowerCase() === lower : entry.test(lower)))
}

/**
 * A certificate downloader with an allow-list and a bounded cache: the piece AWS SNS and PayPal
 * verification share. Certificates are parsed with a small DER reader (no platform X.509 API),
 * must hold an RSA key and be within their validity period at `now`.
 *
 * @example
 * import { certificateSource } from 'webhook-inbox/verifiers'
 * const certificates = certificateSource({ allow: (url) => url.hostname === 'certs.example.com' })
 */
export function certificateSource(options: CertificateSourceOptions): CertificateSource {
  const { provider } = options
  const cacheSize = options.cacheSize ?? 32
  configInvariant(
    Number.isInteger(cacheSize) && cacheSize >= 1,
    '`certificateCacheSize` must be a whole number ≥ 1.',
    provider,
  )
  configInvariant(typeof options.allow === 'function', 'certificateSource: `allow` must be a function.', provider)
  const timeoutMs = options.timeoutMs ?? 5000
  configInvariant(
    Number.isFinite(timeoutMs) && timeoutMs > 0,
    'certificateSource: `timeoutMs` must be a positive number of milliseconds.',
    provider,
  )
  const download = options.fetch ?? defaultFetch()
  configInvariant(
    typeof download === 'function',
    'no global `fetch` in this runtime: pass a `fetch` option that downloads the signing certificate.',
    provider,
  )
  type Loaded = { publicKey: Uint8Array; notBefore: number; notAfter: number } | 'unavailable' | undefined
  const cache = new Map<string, Promise<Loaded>>()

  function load(url: string) {
    const hit = cache.get(url)
    if (hit) {
      cache.delete(url)
      cache.set(url, hit)
      return hit
    }
    // A reset, a timeout, a 429 or a 5xx is an outage of the certificate host: 'unavailable', so
    // the delivery is answered 503 and retried. Anything else that is not a certificate is refused.
    const pending = (async (): Promise<Loaded> => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const expired = new Promise<'unavailable'>((resolve) => {
        timer = setTimeout(() => resolve('unavailable'), timeoutMs)
      })
      const fetched = (async (): Promise<string | 'unavailable' | undefined> => {
        try {
          const response = await (download as CertificateFetch)(url)
          if (response.ok) return await response.text()
          return response.status === 429 || response.status >= 500 ? 'unavailable' : undefined
        } catch {
          return 'unavailable'
        }
      })()
      try {
        const pem = await Promise.race([fetched, expired])
        if (pem === undefined || pem === 'unavailable') return pem
        const info = readCertificate(pem)
        return info && oidEquals(spkiAlgorithm(info.publicKey), RSA_OID) ? info : undefined
      } catch {
        return undefined
      } finally {
        clearTimeout(timer)
        fetched.catch(() => {})
      }
    })()
    cache.set(url, pending)
    // A failed download is not remembered, so the provider's retry can succeed.
    pending.then((info) => {
      if ((!info || info === 'unavailable') && cache.get(url) === pending) cache.delete(url)
    })
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string)
    return pending
  }

  return async (text, now) => {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      return fail('certificate_error', 'the signing certificate URL is not a URL.', provider)
    }
    if (url.protocol !== 'https:' || url.username || url.password || url.port || !options.allow(url)) {
      return fail(
        'certificate_error',
        'the signing certificate URL is not on the allow-list (HTTPS on a provider host); it was not fetched.',
        provider,
      )
    }
    const info = await load(url.href)
    if (info === 'unavailable') {
      return fail(
        'certificate_unavailable',
        'the signing certificate could not be downloaded (connection failed, timed out or the host answered 5xx); the provider will retry.',
        provider,
      )
    }
    if (!info) {
      return fail(
        'certificate_error',
        'the signing certificate could not be read (not found, or not an RSA certificate).',
        provider,
      )
    }
    if (now < info.notBefore || now > info.notAfter) {
      return fail('certificate_error', 'the signing certificate is outside its validity period.', provider)
    }
    return { ok: true, publicKey: info.publicKey }
  }
}

async function verifyRsa(
  algorithm: HashAlgorithm,
  publicKey: Uint8Array,
  signature: Uint8Array,
  messages: readonly Uint8Array[],
): Promise<boolean> {
  const crypto = getCrypto()
  let ok = false
  for (const message of messages) {
    if (await crypto.verifyRsaPkcs1(algorithm, publicKey, signature, message)) ok = true
  }
  return ok
}

// ---------------------------------------------------------------------------------------------
// AWS SNS

/** The fields of an SNS HTTP(S) message that this library reads. */
export interface SnsMessage {
  Type: string
  MessageId: string
  TopicArn: string
  Message: string
  Timestamp: string
  SignatureVersion: string
  Signature: string
  SigningCertURL: string
  Subject?: string
  SubscribeURL?: string
  UnsubscribeURL?: string
  Token?: string
  [key: string]: unknown
}

const SNS_NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const
const SNS_SUBSCRIPTION_KEYS = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
] as const

/**
 * The string SNS signs: `name\nvalue\n` for each present field, in a fixed order
 * (docs.aws.amazon.com "Verifying the signatures of Amazon SNS messages"; sns-validator).
 */
export function snsStringToSign(message: Readonly<Record<string, unknown>>, keys: readonly string[]): string {
  let out = ''
  for (const key of keys) {
    const value = message[key]
    if (typeof value === 'string') out += `${key}\n${value}\n`
  }
  return out
}

/**
 * Default certificate hosts for SNS: the regional endpoints `sns.<region>.amazonaws.com` (and
 * `.amazonaws.com.cn`), where a region is `us-east-1`, `us-gov-west-1`, `cn-north-1`, ...
 * sns-validator's looser `sns.<anything>.amazonaws.com` also matches S3 virtual hosts such as
 * `sns.s3-accelerate.amazonaws.com`, whose content anyone with a bucket named `sns` controls.
 */
export const SNS_CERTIFICATE_HOSTS: HostAllowList = [
  /^sns\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}\.amazonaws\.com(?:\.cn)?$/,
]

/** Options of {@link verifySns}. */
export interface SnsSchemeOptions extends ToleranceOptions {
  /** The raw body (JSON, whatever the content type says). */
  payload: Uint8Array | string
  /** From {@link certificateSource} with an SNS allow-list. */
  certificates: CertificateSource
  /** Current time, epoch ms. */
  now: number
  provider?: string
}

function parseSns(payload: Uint8Array | string): SnsMessage | undefined {
  try {
    const parsed = parseUnverifiedJson(typeof payload === 'string' ? payload : new TextDecoder().decode(payload))
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
    const message = { ...(parsed as Record<string, unknown>) }
    // Lambda-style spellings (sns-validator convertLambdaMessage).
    if (typeof message.SigningCertUrl === 'string') message.SigningCertURL = message.SigningCertUrl
    if (typeof message.UnsubscribeUrl === 'string') message.UnsubscribeURL = message.UnsubscribeUrl
    if (message.Subject === null) delete message.Subject
    return message as SnsMessage
  } catch {
    return undefined
  }
}

/**
 * Verifies an AWS SNS HTTP(S) message: `SignatureVersion` 1 (RSA-SHA1) or 2 (RSA-SHA256) over
 * the canonical string, with the certificate at `SigningCertURL` fetched only from an allowed
 * host. The message `Timestamp` is checked against `now` (`toleranceMs`, default 3900000: SNS
 * keeps it across retries, which last at most an hour).
 *
 * @example
 * import { certificateSource, hostAllowed, SNS_CERTIFICATE_HOSTS, verifySns } from 'webhook-inbox/verifiers'
 * const certificates = certificateSource({ allow: (url) => url.pathname.endsWith('.pem') && hostAllowed(url.hostname, SNS_CERTIFICATE_HOSTS) })
 * const result = await verifySns({ payload: rawBody, certificates, now: Date.now() })
 */
export async function verifySns(
  options: SnsSchemeOptions,
): Promise<SchemeResult<{ message: SnsMessage; timestamp: number }>> {
  const { provider } = options
  const message = parseSns(options.payload)
  if (!message) return fail('invalid_body', 'the body is not an SNS JSON message.', provider)
  if (typeof message.Signature !== 'string' || message.Signature === '') {
    return fail('missing_signature', 'the SNS message has no Signature.', provider)
  }
  for (const key of ['Type', 'MessageId', 'Timestamp', 'SigningCertURL', 'SignatureVersion'] as const) {
    if (typeof message[key] !== 'string' || message[key] === '') {
      return fail('malformed_signature', `the SNS message has no ${key}.`, provider)
    }
  }
  const algorithm: HashAlgorithm | undefined =
    message.SignatureVersion === '1' ? 'SHA-1' : message.SignatureVersion === '2' ? 'SHA-256' : undefined
  if (!algorithm) return fail('malformed_signature', 'SignatureVersion must be "1" or "2".', provider)
  const signature = fromBase64(message.Signature)
  if (!signature || signature.length < 64) {
    return fail('malformed_signature', 'the SNS Signature is not base64.', provider)
  }
  const timestamp = Date.parse(message.Timestamp)
  if (!/^\d{4}-\d{2}-\d{2}T/.test(message.Timestamp) || Number.isNaN(timestamp)) {
    return fail('malformed_timestamp', 'the SNS Timestamp is not an ISO 8601 time.', provider)
  }
  const certificate = await options.certificates(message.SigningCertURL, options.now)
  if (!certificate.ok) return certificate
  const control = message.Type === 'SubscriptionConfirmation' || message.Type === 'UnsubscribeConfirmation'
  const strings = [snsStringToSign(message, control ? SNS_SUBSCRIPTION_KEYS : SNS_NOTIFICATION_KEYS)]
  // AWS documents the Token list for UnsubscribeConfirmation; sns-validator signs it like a
  // Notification. Either string, signed by the certificate, is authentic.
  if (message.Type === 'UnsubscribeConfirmation') strings.push(snsStringToSign(message, SNS_NOTIFICATION_KEYS))
  if (!(await verifyRsa(algorithm, certificate.publicKey, signature, strings.map(utf8)))) {
    return fail('invalid_signature', 'the SNS signature does not match the message.', provider)
  }
  const stale = checkTimestamp(timestamp, options.now, options.toleranceMs ?? 3_900_000, provider)
  return stale ?? { ok: true, message, timestamp }
}

// ---------------------------------------------------------------------------------------------
// PayPal

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 (IEEE 802.3, as zlib computes it) of bytes, unsigned. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (let i = 0; i < bytes.length; i++) crc = (CRC_TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/** Default PayPal certificate hosts, live and sandbox (PayPal does not list them; these are the hosts its certificates are served from). */
export const PAYPAL_CERTIFICATE_HOSTS: HostAllowList = [
  'api.paypal.com',
  'api-m.paypal.com',
  'api.sandbox.paypal.com',
  'api-m.sandbox.paypal.com',
]

/** The `PAYPAL-*` headers of one delivery. */
export interface PayPalHeaders {
  transmissionId: string | undefined
  transmissionTime: string | undefined
  transmissionSig: string | undefined
  certUrl: string | undefined
  authAlgo: string | undefined
}

/** Options of {@link verifyPayPal}. */
export interface PayPalSchemeOptions extends ToleranceOptions {
  payload: Uint8Array | string
  headers: PayPalHeaders
  /** The id(s) of the webhook as registered with PayPal (part of the signed string). */
  webhookId: readonly string[]
  /** From {@link certificateSource} with a PayPal allow-list. */
  certificates: CertificateSource
  /** Current time, epoch ms. */
  now: number
  provider?: string
}

/**
 * Verifies a PayPal webhook offline: RSA-SHA256 (`PAYPAL-AUTH-ALGO: SHA256withRSA`) over
 * `transmissionId|transmissionTime|webhookId|crc32`, where crc32 is the unsigned decimal CRC-32
 * of the raw body, with the certificate at `PAYPAL-CERT-URL` fetched only from a PayPal host
 * (developer.paypal.com "Verify webhook signature", offline method). `PAYPAL-TRANSMISSION-TIME`
 * must be within `toleranceMs` (default 300000) of `now`.
 *
 * @example
 * import { certificateSource, hostAllowed, PAYPAL_CERTIFICATE_HOSTS, verifyPayPal } from 'webhook-inbox/verifiers'
 * const certificates = certificateSource({ allow: (url) => hostAllowed(url.hostname, PAYPAL_CERTIFICATE_HOSTS) })
 */
export async function verifyPayPal(
  options: PayPalSchemeOptions,
): Promise<SchemeResult<{ timestamp: number; signedMaterial: Uint8Array }>> {
  const { provider, headers } = options
  if (!headers.transmissionSig?.trim()) {
    return fail('missing_signature', 'the PAYPAL-TRANSMISSION-SIG header is missing.', provider)
  }
  for (const [name, value] of [
    ['PAYPAL-TRANSMISSION-ID', headers.transmissionId],
    ['PAYPAL-CERT-URL', headers.certUrl],
    ['PAYPAL-AUTH-ALGO', headers.authAlgo],
  ] as const) {
    if (!value?.trim()) return fail('missing_header', `the ${name} header is missing.`, provider)
  }
  const time = headers.transmissionTime?.trim()
  if (!time) return fail('missing_timestamp', 'the PAYPAL-TRANSMISSION-TIME header is missing.', provider)
  const timestamp = Date.parse(time)
  if (!/^\d{4}-\d{2}-\d{2}T/.test(time) || Number.isNaN(timestamp)) {
    return fail('malformed_timestamp', 'PAYPAL-TRANSMISSION-TIME is not an RFC 3339 time.', provider)
  }
  if (headers.authAlgo?.trim().toUpperCase() !== 'SHA256WITHRSA') {
    return fail('malformed_signature', 'PAYPAL-AUTH-ALGO is not SHA256withRSA.', provider)
  }
  const signature = fromBase64(headers.transmissionSig.trim())
  if (!signature || signature.length < 64) {
    return fail('malformed_signature', 'PAYPAL-TRANSMISSION-SIG is not base64.', provider)
  }
  const certificate = await options.certificates((headers.certUrl as string).trim(), options.now)
  if (!certificate.ok) return certificate
  const crc = crc32(bodyBytes(options.payload))
  const id = (headers.transmissionId as string).trim()
  // The time is signed exactly as sent, so the header text is used, not a re-formatted date.
  const messages = options.webhookId.map((webhookId) => utf8(`${id}|${headers.transmissionTime}|${webhookId}|${crc}`))
  let signedMaterial: Uint8Array | undefined
  for (const message of messages) {
    if (!signedMaterial && (await verifyRsa('SHA-256', certificate.publicKey, signature, [message]))) {
      signedMaterial = message
    }
  }
  if (!signedMaterial) {
    return fail(
      'invalid_signature',
      `the PayPal signature does not match (check \`webhookId\`: it is part of the signed string). ${RAW_BODY_HINT}`,
      provider,
    )
  }
  const stale = checkTimestamp(timestamp, options.now, options.toleranceMs ?? 300_000, provider)
  return stale ?? { ok: true, timestamp, signedMaterial }
}
