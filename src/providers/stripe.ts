import { fromUtf8 } from '../crypto/encoding.js'
import { configInvariant } from '../errors.js'
import type { Provider } from '../types.js'
import { checkTolerance, type Secrets, secretList } from '../verifiers/shared.js'
import { verifyTimestampedHeader } from '../verifiers/timestamped.js'
import { DAY, defineProvider, MINUTE, pick, RETRIES_ANY_ERROR, SECOND, secretFormatHint } from './define.js'

/** Options of {@link stripe}. */
export interface StripeOptions {
  /** Endpoint signing secret(s), `whsec_…`, used as given (Stripe does not base64-decode it). */
  secret: Secrets
  /**
   * Largest distance between the signed timestamp and now, either direction. Stripe's SDK checks
   * only the past side; a future timestamp is refused here too.
   * @default 300000 (5 minutes, as Stripe's SDK)
   */
  toleranceMs?: number
}

/**
 * Stripe: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=…]`, HMAC-SHA256 of `t.body`. Any `v1`
 * may match any secret (Stripe sends one `v1` per active secret while you roll it). Id and type
 * are the Event's `id` and `type`. Stripe retries live events for up to 3 days.
 *
 * @example
 * import { stripe } from 'webhook-inbox/providers'
 * const provider = stripe({ secret: [process.env.STRIPE_WEBHOOK_SECRET, process.env.STRIPE_WEBHOOK_SECRET_OLD] })
 */
export function stripe<T = unknown>(options: StripeOptions): Provider<T> {
  const keys = secretList(options?.secret, 'stripe')
  for (const key of keys) {
    // stripe-node warns about this too: a secret pasted with a trailing newline never matches
    // (vercel/nextjs-subscription-payments#228).
    configInvariant(
      !/\s/.test(fromUtf8(key)),
      '`secret` contains whitespace (often a trailing newline from an environment file); remove it.',
      'stripe',
    )
  }
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'stripe')
  const secretHint = secretFormatHint(
    options?.secret,
    [
      { prefix: /^sk_(?:live|test)_/, is: 'a Stripe secret API key' },
      { prefix: /^rk_(?:live|test)_/, is: 'a Stripe restricted API key' },
      { prefix: /^pk_(?:live|test)_/, is: 'a Stripe publishable key' },
    ],
    {
      prefix: 'whsec_',
      where: 'Dashboard, Developers, Webhooks, the endpoint, "Signing secret"; `stripe listen` prints its own',
    },
  )
  return defineProvider<T>({
    name: 'stripe',
    idSigned: true,
    signatureHeaders: ['stripe-signature'],
    retriedStatuses: RETRIES_ANY_ERROR,
    secretHint,
    retryWindowMs: 3 * DAY,
    responseDeadlineMs: 10 * SECOND,
    info: {
      title: 'Stripe',
      retries: 'any non-2xx, up to 3 days in live mode (Stripe docs)',
      scheme: 'HMAC-SHA256 hex of `t.body`, any `v1`',
      headers: ['Stripe-Signature'],
      id: 'body `id`',
      type: 'body `type`',
      typeSigned: true,
      toleranceMs,
    },
    verify: (d) =>
      verifyTimestampedHeader({
        payload: d.bytes,
        header: d.header('stripe-signature'),
        secret: keys,
        now: d.now,
        toleranceMs,
        provider: 'stripe',
      }),
    id: (_d, payload) => pick(payload, 'id'),
    type: (_d, payload) => pick(payload, 'type'),
  })
}
