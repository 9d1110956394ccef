import { configInvariant } from '../errors.js'
import type { Provider, StatusRange } from '../types.js'
import { verifyHmac } from '../verifiers/hmac.js'
import { HASHES, type HmacAlgorithm, type Secrets, type SignatureEncoding, secretList } from '../verifiers/shared.js'
import { type BodyFormat, type DeliveryContext, defineProvider } from './define.js'

/** Options of {@link hmac}: any provider that sends an HMAC of the raw body in one header. */
export interface HmacProviderOptions<T> {
  /** Preset name, used in the dedupe key and in messages. @default 'hmac' */
  name?: string
  /** The signature header, e.g. `x-acme-signature`. */
  header: string
  /** Signing secret(s). */
  secret: Secrets
  /** @default 'sha256' */
  algorithm?: HmacAlgorithm
  /** @default 'hex' */
  encoding?: SignatureEncoding
  /** Text before the signature, e.g. `sha256=`. @default '' */
  prefix?: string
  /**
   * Header holding the event id. Without it (and without `id`), the id is the body's SHA-256.
   * A header is not signed, so each delivery is also claimed under the signed body's hash.
   */
  idHeader?: string
  /** Reads the event id from the parsed payload. */
  id?: (payload: T, context: DeliveryContext) => string | undefined
  /** Header holding the event type. */
  typeHeader?: string
  /** Reads the event type from the parsed payload. */
  type?: (payload: T, context: DeliveryContext) => string | undefined
  /** @default 'json' */
  body?: BodyFormat
  /** How long the provider retries; sets the default retention. */
  retryWindowMs?: number
  /** How long the provider waits for an answer; sets the default enqueue timeout. */
  responseDeadlineMs?: number
  /**
   * The statuses your provider retries, as inclusive ranges: `[[500, 599]]` when it treats a 4xx
   * as final, so that an id in flight is answered 503 rather than 409.
   * @default [[400, 599]]
   */
  retriedStatuses?: readonly StatusRange[]
}

/**
 * A preset for any provider that signs the raw body with an HMAC in one header.
 *
 * @example
 * import { hmac } from 'webhook-inbox/providers'
 * const provider = hmac({ name: 'acme', header: 'x-acme-signature', prefix: 'sha256=',
 *   secret: process.env.ACME_SECRET, idHeader: 'x-acme-delivery' })
 */
export function hmac<T = unknown>(options: HmacProviderOptions<T>): Provider<T> {
  const name = options.name ?? 'hmac'
  const keys = secretList(options.secret, name)
  const { header, idHeader, typeHeader } = options
  // Caught here, not per request: a missing header name would throw on every delivery, and an
  // unknown algorithm or encoding would refuse every one as malformed.
  configInvariant(
    typeof header === 'string' && header.trim() !== '',
    '`header` is missing: pass the name of the header that carries the signature, e.g. "x-acme-signature".',
    name,
  )
  configInvariant(
    options.algorithm === undefined || Object.hasOwn(HASHES, options.algorithm),
    '`algorithm` must be "sha1", "sha256" or "sha512" (lower case).',
    name,
  )
  configInvariant(
    options.encoding === undefined || ['hex', 'base64', 'base64url'].includes(options.encoding),
    '`encoding` must be "hex", "base64" or "base64url".',
    name,
  )
  return defineProvider<T>({
    name,
    retryWindowMs: options.retryWindowMs,
    responseDeadlineMs: options.responseDeadlineMs,
    retriedStatuses: options.retriedStatuses,
    body: options.body,
    info: {
      title: 'Any HMAC provider (`hmac()`)',
      retries: 'as `retriedStatuses` says; every 4xx and 5xx by default',
      scheme: `HMAC-${(options.algorithm ?? 'sha256').toUpperCase()} ${options.encoding ?? 'hex'} of the body`,
      headers: [header],
      id: idHeader ? `\`${idHeader}\` header` : options.id ? 'your `id` function' : 'SHA-256 of the body',
      type: typeHeader ? `\`${typeHeader}\` header` : options.type ? 'your `type` function' : 'none',
      typeSigned: !typeHeader,
    },
    signatureHeaders: [header],
    // An id header is not signed, and your `id` function may read one; without either the id is
    // the body's hash, signed by construction.
    idSigned: !idHeader && !options.id,
    verify: (d) =>
      verifyHmac({
        payload: d.bytes,
        signature: d.header(header),
        secret: keys,
        algorithm: options.algorithm,
        encoding: options.encoding,
        prefix: options.prefix,
        provider: name,
      }),
    id: (d, payload) => (idHeader ? d.header(idHeader) : undefined) ?? options.id?.(payload, d),
    type: (d, payload) => (typeHeader ? d.header(typeHeader) : undefined) ?? options.type?.(payload, d),
  })
}
