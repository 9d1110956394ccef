import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { type DeliveryContext, HOUR, RETRIES_ANY_ERROR, SECOND } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link shopify}. */
export interface ShopifyOptions {
  /** The app's client secret (or the shop's signing key for admin-created webhooks); several while you rotate. */
  secret: Secrets
}

// Newer "events" deliveries drop the X- prefix; @shopify/shopify-api picks the variant by which
// HMAC header is present, and so do we.
function header(d: DeliveryContext, name: string): string | undefined {
  return d.header(`x-shopify-${name}`) ?? d.header(`shopify-${name}`)
}

/**
 * Shopify webhooks: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>` (or the un-prefixed
 * `shopify-hmac-sha256` of newer deliveries). Id `X-Shopify-Event-Id`, the same on every
 * duplicate (shopify.dev "Ignore duplicate webhooks"); type `X-Shopify-Topic`. Shopify waits 5 s
 * and retries 8 times over 4 hours (shopify.dev changelog 2024-09-10).
 *
 * @example
 * import { shopify } from 'webhook-inbox/providers'
 * const provider = shopify({ secret: process.env.SHOPIFY_API_SECRET })
 */
export function shopify<T = unknown>(options: ShopifyOptions): Provider<T> {
  return hmacBodyProvider<T>({
    name: 'shopify',
    retriedStatuses: RETRIES_ANY_ERROR,
    retries: 'any non-2xx, 8 times over 4 h',
    title: 'Shopify',
    retryWindowMs: 4 * HOUR,
    responseDeadlineMs: 5 * SECOND,
    signature: (d) => header(d, 'hmac-sha256'),
    headers: ['X-Shopify-Hmac-Sha256', 'shopify-hmac-sha256'],
    keys: secretList(options?.secret, 'shopify'),
    algorithm: 'sha256',
    encoding: 'base64',
    idSource: '`X-Shopify-Event-Id` header',
    typeSource: '`X-Shopify-Topic` header',
    typeSigned: false,
    signatureHeaders: ['x-shopify-hmac-sha256', 'shopify-hmac-sha256'],
    id: (d) => header(d, 'event-id'),
    type: (d) => header(d, 'topic'),
  })
}
