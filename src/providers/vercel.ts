import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { HOUR, pick, RETRIES_5XX, SECOND } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link vercel}. */
export interface VercelOptions {
  /** The webhook secret (team webhooks) or the integration's client secret; several while you rotate. */
  secret: Secrets
}

/**
 * Vercel account and integration webhooks: `x-vercel-signature: <hex HMAC-SHA1 of the body>`
 * (SHA-1). Id and type are the body's `id` and `type` (`deployment.succeeded`, ...). Sources:
 * third-party guides (Trigger.dev, Hookdeck), which also give the 30 s timeout and retries for
 * up to 24 h; Vercel's own reference does not state them.
 *
 * @example
 * import { vercel } from 'webhook-inbox/providers'
 * const provider = vercel({ secret: process.env.VERCEL_WEBHOOK_SECRET })
 */
export function vercel<T = unknown>(options: VercelOptions): Provider<T> {
  return hmacBodyProvider<T>({
    name: 'vercel',
    retriedStatuses: RETRIES_5XX,
    retries: 'not documented; 5xx assumed',
    title: 'Vercel',
    retryWindowMs: 24 * HOUR,
    responseDeadlineMs: 30 * SECOND,
    signature: 'x-vercel-signature',
    headers: ['x-vercel-signature'],
    keys: secretList(options?.secret, 'vercel'),
    algorithm: 'sha1',
    encoding: 'hex',
    idSource: 'body `id`',
    typeSource: 'body `type`',
    typeSigned: true,
    idSigned: true,
    id: (_d, payload) => pick(payload, 'id'),
    type: (_d, payload) => pick(payload, 'type'),
  })
}
