import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { type DeliveryContext, parseForm, pick, RETRIES_NONE } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link woocommerce}. */
export interface WooCommerceOptions {
  /** The webhook's secret; several while you rotate. */
  secret: Secrets
}

const PING = /^webhook_id=\d+$/

function isPing(d: DeliveryContext): boolean {
  return d.bytes.length < 64 && PING.test(d.text().trim())
}

/**
 * WooCommerce webhooks: `X-WC-Webhook-Signature: <base64 HMAC-SHA256 of the body>`, topic in
 * `X-WC-Webhook-Topic` (`order.created`). When a webhook is saved WooCommerce POSTs a
 * form-encoded `webhook_id=<n>` ping; it is answered 200 and not enqueued, signed or not
 * (it triggers nothing, and the store disables a webhook whose ping fails).
 *
 * `X-WC-Webhook-Delivery-ID` is new on every send, so the id is
 * `topic:resource id:date_modified_gmt`, the same for two sends of one change; a body without
 * them falls back to its SHA-256. WooCommerce does not retry and disables the webhook after 5
 * consecutive failures. Sources: WooCommerce's class-wc-webhook.php, and a third-party guide
 * (Hookdeck) for the delivery behaviour.
 *
 * @example
 * import { woocommerce } from 'webhook-inbox/providers'
 * const provider = woocommerce({ secret: process.env.WOOCOMMERCE_WEBHOOK_SECRET })
 */
export function woocommerce<T = unknown>(options: WooCommerceOptions): Provider<T> {
  const ping = { status: 200, headers: {}, body: '' }
  return hmacBodyProvider<T>({
    name: 'woocommerce',
    retriedStatuses: RETRIES_NONE,
    retries: 'none: the webhook is disabled after 5 failures',
    title: 'WooCommerce',
    signature: 'x-wc-webhook-signature',
    headers: ['X-WC-Webhook-Signature', 'X-WC-Webhook-Topic'],
    keys: secretList(options?.secret, 'woocommerce'),
    algorithm: 'sha256',
    encoding: 'base64',
    idSource: '`topic:id:date_modified_gmt` (the delivery id changes per send)',
    typeSource: '`X-WC-Webhook-Topic` header',
    typeSigned: false,
    handshakeInfo: 'form `webhook_id=` ping → 200',
    beforeVerify: (d) => (d.header('x-wc-webhook-signature') === undefined && isPing(d) ? ping : undefined),
    body: (d) => (isPing(d) ? parseForm(d.text()) : JSON.parse(d.text())),
    handshake: (d) => (isPing(d) ? ping : undefined),
    id: (d, payload) => {
      const topic = d.header('x-wc-webhook-topic')
      const resource = pick(payload, 'id')
      const modified = pick(payload, 'date_modified_gmt') ?? pick(payload, 'date_modified')
      return topic && resource && modified ? `${topic}:${resource}:${modified}` : undefined
    },
    type: (d) => d.header('x-wc-webhook-topic'),
  })
}
