import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { pick, RETRIES_5XX } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link segment}. */
export interface SegmentOptions {
  /** The shared secret set on the Webhooks destination; several while you rotate. */
  secret: Secrets
}

/**
 * Segment Webhooks (Actions) destination with a shared secret: `X-Signature: <hex HMAC-SHA1 of
 * the body>`. Id `messageId` (Segment's own dedupe key), type `type` (`track`, `identify`, ...).
 * A batched delivery (a JSON array) has no single `messageId`; its id is the SHA-256 of the
 * body, which stays the same across retries of that batch, and its type is `batch`.
 * Source: twilio.com/docs/segment "Webhooks (Actions) Destination" (signature); retries are not
 * documented there.
 *
 * @example
 * import { segment } from 'webhook-inbox/providers'
 * const provider = segment({ secret: process.env.SEGMENT_SHARED_SECRET })
 */
export function segment<T = unknown>(options: SegmentOptions): Provider<T> {
  return hmacBodyProvider<T>({
    name: 'segment',
    retriedStatuses: RETRIES_5XX,
    retries: 'not documented; 5xx assumed',
    title: 'Segment',
    signature: 'x-signature',
    headers: ['X-Signature'],
    keys: secretList(options?.secret, 'segment'),
    algorithm: 'sha1',
    encoding: 'hex',
    idSource: 'body `messageId` (batches: SHA-256 of the body)',
    typeSource: 'body `type`',
    typeSigned: true,
    idSigned: true,
    id: (_d, payload) => (Array.isArray(payload) ? undefined : pick(payload, 'messageId')),
    type: (_d, payload) => (Array.isArray(payload) ? 'batch' : pick(payload, 'type')),
  })
}
