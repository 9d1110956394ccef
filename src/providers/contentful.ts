import type { Provider } from '../types.js'
import { contentfulKeys, verifyContentfulRequest } from '../verifiers/contentful.js'
import { checkTolerance, type Secrets } from '../verifiers/shared.js'
import { defineProvider, RETRIES_5XX, SECOND } from './define.js'

const CONTENTFUL_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'] as const

/** Options of {@link contentful}. */
export interface ContentfulOptions {
  /** The space's webhook signing secret (64 characters); several while you rotate. */
  secret: Secrets
  /**
   * Either direction. @contentful/node-apps-toolkit's `verifyRequest` uses a 30 s TTL, past only.
   * @default 30000 (30 seconds, as the toolkit)
   */
  toleranceMs?: number
  /**
   * Methods the webhook may be configured to use: Contentful lets a webhook (or its
   * transformation) send POST, PUT, PATCH, DELETE or GET, the last two with an empty body.
   * @default ['POST', 'PUT', 'PATCH', 'DELETE', 'GET']
   */
  methods?: readonly string[]
}

/**
 * Contentful webhooks with request verification: `x-contentful-signature` = hex HMAC-SHA256 of
 * the canonical request (method, path and query as the toolkit encodes them, the headers listed
 * in `x-contentful-signed-headers`, body), timestamp `x-contentful-timestamp` in ms. Reproduces
 * the toolkit's `verifyRequest` byte for byte; the URL must be the one Contentful called.
 *
 * Id the `X-Contentful-Idempotency-Key` header (contentful.com changelog "Idempotency key headers
 * for webhook requests"), else the SHA-256 of the body. Type `X-Contentful-Topic`
 * (`ContentManagement.Entry.publish`, …). Contentful's retry window was not found, so the 24 h
 * retention floor applies.
 *
 * @example
 * import { contentful } from 'webhook-inbox/providers'
 * const provider = contentful({ secret: process.env.CONTENTFUL_SIGNING_SECRET })
 */
export function contentful<T = unknown>(options: ContentfulOptions): Provider<T> {
  const keys = contentfulKeys(options?.secret, 'contentful')
  const toleranceMs = checkTolerance(options.toleranceMs, 30 * SECOND, 'contentful')
  return defineProvider<T>({
    name: 'contentful',
    signatureHeaders: ['x-contentful-signature'],
    retriedStatuses: RETRIES_5XX,
    methods: (options.methods ?? CONTENTFUL_METHODS).map((m) => m.toUpperCase()),
    info: {
      title: 'Contentful',
      retries: 'not documented; 5xx assumed',
      scheme: 'HMAC-SHA256 hex of the canonical request (method, path, signed headers, body)',
      headers: ['x-contentful-signature', 'x-contentful-signed-headers', 'x-contentful-timestamp'],
      id: '`X-Contentful-Idempotency-Key` header, else SHA-256 of the body (of the whole signed request when the body is empty)',
      type: '`X-Contentful-Topic` header (signed only when listed in `x-contentful-signed-headers`)',
      typeSigned: false,
      toleranceMs,
    },
    verify: async (d) => {
      const result = await verifyContentfulRequest({
        payload: d.bytes,
        method: d.method,
        url: d.url,
        headers: d.headers,
        secret: keys,
        now: d.now,
        toleranceMs,
        provider: 'contentful',
      })
      // The signed bytes include the timestamp; the body alone is what a re-sent event repeats, so
      // it gives the fallback id. The idempotency key is not signed, so the whole signed request
      // is the material of the second dedupe key. An empty body (GET, DELETE) repeats across
      // unrelated deliveries, so without the idempotency key the whole signed request is the id:
      // a re-signed retry may then be processed again, but no delivery is taken for another's.
      if (!result.ok) return result
      return d.bytes.length === 0
        ? { ok: true, timestamp: result.timestamp, signedMaterial: result.signedMaterial }
        : { ok: true, timestamp: result.timestamp, replayMaterial: result.signedMaterial }
    },
    // A GET or DELETE webhook may carry no body: its payload is `null`.
    body: (d) => (d.bytes.length === 0 ? null : JSON.parse(d.text())),
    id: (d) => d.header('x-contentful-idempotency-key'),
    // Trimmed as the toolkit trims signed header values, so a signed topic reads as signed.
    type: (d) => d.header('x-contentful-topic')?.trim(),
  })
}
