import { utf8 } from '../crypto/encoding.js'
import { configInvariant } from '../errors.js'
import type { Provider } from '../types.js'
import { checkTolerance, fail, type Secrets, secretList } from '../verifiers/shared.js'
import { type HubSpotVersion, verifyHubSpot } from '../verifiers/url-hmac.js'
import { DAY, defineProvider, MINUTE, pick, RETRIES_429_5XX, SECOND } from './define.js'

/** Options of {@link hubspot}. */
export interface HubSpotOptions {
  /** The app's client secret(s); several while you rotate. */
  secret: Secrets
  /**
   * Signature versions accepted. HubSpot sends v3 with v1 or v2 alongside; v1 and v2 sign no
   * timestamp, so `['v3']` closes replays for endpoints that get v3.
   * @default ['v1', 'v2', 'v3']
   */
  versions?: readonly HubSpotVersion[]
  /**
   * Largest distance between `X-HubSpot-Request-Timestamp` (v3) and now, either direction.
   * @default 300000 (5 minutes, as @hubspot/api-client)
   */
  toleranceMs?: number
}

function eventIds(payload: unknown): string[] | undefined {
  const events = Array.isArray(payload) ? payload : [payload]
  const ids: string[] = []
  for (const event of events) {
    const id = pick(event, 'eventId')
    if (id === undefined) return undefined
    ids.push(id)
  }
  return ids.length > 0 ? ids.sort() : undefined
}

/**
 * HubSpot app and workflow webhooks. v3 (`X-HubSpot-Signature-v3`: base64 HMAC-SHA256 of method
 * + URI + body + `X-HubSpot-Request-Timestamp`, ms) when present; otherwise v1 or v2 as
 * `X-HubSpot-Signature-Version` says (hex SHA-256 of secret + body, or of secret + method + URI +
 * body). Source: developers.hubspot.com "Validating requests"; @hubspot/api-client Signature.
 * A request that carries `X-HubSpot-Signature-v3` is judged by v3 alone: a bad v3 signature never
 * falls back to v1/v2. Without that header, v1/v2 decide; they sign no timestamp (v1 not even the
 * URL), so a captured delivery can be replayed later and only dedupe stops an exact repeat within
 * the retention: pass `versions: ['v3']` when HubSpot sends v3 to your endpoint.
 *
 * Deliveries are batches (a JSON array, `attemptNumber` changing on each retry), so the id is the
 * SHA-256 of the batch's sorted `eventId`s: the same on every retry of the batch. App webhooks are
 * retried up to 10 times over 24 h with a 5 s timeout; workflow webhooks wait up to 30 s
 * (developers.hubspot.com "Webhook information") and are retried for up to 3 days. We could
 * not confirm the retry figures; the longer window sets the default retention.
 *
 * @example
 * import { hubspot } from 'webhook-inbox/providers'
 * const provider = hubspot({ secret: process.env.HUBSPOT_CLIENT_SECRET })
 */
export function hubspot<T = unknown>(options: HubSpotOptions): Provider<T> {
  const keys = secretList(options?.secret, 'hubspot')
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'hubspot')
  const versions = options.versions ?? ['v1', 'v2', 'v3']
  configInvariant(
    Array.isArray(versions) && versions.length > 0 && versions.every((v) => v === 'v1' || v === 'v2' || v === 'v3'),
    "`versions` must list some of 'v1', 'v2', 'v3'.",
    'hubspot',
  )
  return defineProvider<T>({
    name: 'hubspot',
    signatureHeaders: ['x-hubspot-signature-v3', 'x-hubspot-signature'],
    retriedStatuses: RETRIES_429_5XX,
    // Workflow webhooks can be sent as GET, signed with v2 over the method and URL.
    methods: ['POST', 'GET'],
    retryWindowMs: 3 * DAY,
    responseDeadlineMs: 5 * SECOND,
    info: {
      title: 'HubSpot',
      retries: 'connection failures, timeouts, 429 and 5xx; any other 4xx is final (HubSpot docs)',
      scheme:
        'v3: HMAC-SHA256 base64 of method + URI + body + timestamp; v1/v2: SHA-256 hex of secret + (method + URI +) body',
      headers: [
        'X-HubSpot-Signature-v3',
        'X-HubSpot-Request-Timestamp',
        'X-HubSpot-Signature',
        'X-HubSpot-Signature-Version',
      ],
      id: 'SHA-256 of the batch’s sorted `eventId`s',
      type: 'body `subscriptionType`',
      typeSigned: true,
      toleranceMs,
    },
    verify: async (d) => {
      const v3 = d.header('x-hubspot-signature-v3')
      const declared = (d.header('x-hubspot-signature-version') ?? 'v1').trim().toLowerCase()
      const version: HubSpotVersion =
        v3 !== undefined && versions.includes('v3') ? 'v3' : declared === 'v2' ? 'v2' : 'v1'
      if (!versions.includes(version)) {
        return fail('missing_signature', `no signature of an accepted version (${versions.join(', ')}).`, 'hubspot')
      }
      const result = await verifyHubSpot({
        version,
        method: d.method,
        url: d.url,
        payload: d.bytes,
        signature: version === 'v3' ? v3 : d.header('x-hubspot-signature'),
        timestamp: d.header('x-hubspot-request-timestamp'),
        secret: keys,
        now: d.now,
        toleranceMs,
        provider: 'hubspot',
      })
      if (!result.ok) return result
      let ids: string[] | undefined
      try {
        ids = eventIds(JSON.parse(d.text()))
      } catch {
        ids = undefined
      }
      // Without event ids (a GET workflow webhook has no body) the id comes from all that was
      // signed, method and URL included.
      const signedMaterial = ids ? utf8(`hubspot-events:${ids.join(',')}`) : result.signedMaterial
      return result.timestamp === undefined
        ? { ok: true, signedMaterial }
        : { ok: true, signedMaterial, timestamp: result.timestamp }
    },
    body: (d) => (d.bytes.length === 0 ? null : JSON.parse(d.text())),
    type: (_d, payload) => {
      const events = Array.isArray(payload) ? payload : [payload]
      const types = new Set(events.map((event) => pick(event, 'subscriptionType') ?? ''))
      return types.size === 1 ? [...types][0] : 'batch'
    },
  })
}
