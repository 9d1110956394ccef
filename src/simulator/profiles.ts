// How each provider signs and delivers: its signer, its retry schedule, whether a retry is signed
// again, its response deadline. What the command-line tool and the provider simulator deliver with.

import { SAMPLE_PROVIDERS, type SampleEvent, type SampleProvider } from '../testing/samples.js'
import { signGitHubRequest, signStandardWebhooksRequest, signStripeRequest } from '../testing/signers.js'
import { signLinearRequest, signShopifyRequest } from '../testing/signers-body-hmac-and-token.js'
import { signPaddleRequest, signSlackRequest } from '../testing/signers-timestamped.js'
import { signTwilioRequest } from '../testing/signers-url-key-certificate-jwt.js'
import { signDiscordRequest } from '../testing/signing-url-key-certificate-jwt.js'
import type { WebhookRequest } from '../types.js'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

/** Why the previous attempt failed, as Slack reports it in `X-Slack-Retry-Reason`. */
export type FailureReason = 'http_error' | 'http_timeout' | 'connection_failed'

/** What a profile signs: one event, one attempt. */
export interface SignInput {
  /** The event to deliver. `body` is sent as given when it is a string (a `--payload` file). */
  event: Omit<SampleEvent, 'body' | 'provider'> & { body: Record<string, unknown> | string }
  /** The secret, or for Discord the Ed25519 private key (PKCS#8 PEM). */
  secret: string
  url: string
  /** Signing time, epoch ms. */
  now: number
  /** 0 for the first attempt of a delivery, then 1, 2, ... for its retries. */
  retry: number
  /** Why the previous attempt failed (retries only). */
  reason?: FailureReason
}

/** One provider's delivery behaviour. */
export interface DeliveryProfile {
  provider: SampleProvider
  /** Display name. */
  title: string
  /** Delays before each retry, in ms, after a non-2xx, a timeout or a dropped connection. Empty: no automatic retries. */
  retryDelaysMs: readonly number[]
  /** Where the schedule comes from, in a few words. */
  schedule: string
  /**
   * Whether a retry is signed again at the time it is sent (a new timestamp). Providers without a
   * signed timestamp resend the same bytes and headers.
   */
  resignsRetries: boolean
  /** How long the provider waits for an answer before it counts a timeout. */
  timeoutMs: number
  /** What `--secret` means for this provider. */
  secretHint: string
  sign(input: SignInput): Promise<WebhookRequest>
}

function exponential(first: number, count: number, cap: number): number[] {
  return Array.from({ length: count }, (_, index) => Math.min(first * 2 ** index, cap))
}

const PROFILES: Record<SampleProvider, DeliveryProfile> = {
  stripe: {
    provider: 'stripe',
    title: 'Stripe',
    // Stripe documents "up to three days with an exponential back off" and no exact schedule.
    retryDelaysMs: [MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 12 * HOUR, 12 * HOUR, 12 * HOUR],
    schedule: 'exponential back-off for up to 3 days (Stripe publishes no exact schedule)',
    resignsRetries: true,
    timeoutMs: 10 * SECOND,
    secretHint: 'the endpoint signing secret (whsec_…)',
    sign: ({ event, secret, url, now }) => signStripeRequest({ secret, url, now, body: event.body }),
  },
  github: {
    provider: 'github',
    title: 'GitHub',
    retryDelaysMs: [],
    schedule: 'no automatic retries (failed deliveries are redelivered by hand)',
    resignsRetries: false,
    timeoutMs: 10 * SECOND,
    secretHint: 'the webhook secret',
    sign: ({ event, secret, url }) =>
      signGitHubRequest({ secret, url, id: event.id, event: event.type, body: event.body }),
  },
  slack: {
    provider: 'slack',
    title: 'Slack',
    retryDelaysMs: [SECOND, MINUTE, 5 * MINUTE],
    schedule: '3 retries: almost immediately, after 1 minute, after 5 minutes',
    resignsRetries: true,
    timeoutMs: 3 * SECOND,
    secretHint: 'the signing secret',
    sign: async ({ event, secret, url, now, retry, reason }) => {
      const signed = await signSlackRequest({
        secret,
        url,
        now,
        body: event.body,
        retryNum: retry > 0 ? retry : undefined,
      })
      if (retry > 0 && reason) (signed.headers as Record<string, string>)['x-slack-retry-reason'] = reason
      return signed
    },
  },
  shopify: {
    provider: 'shopify',
    title: 'Shopify',
    // 8 retries over 4 hours with exponential back-off (shopify.dev "Troubleshooting webhooks").
    retryDelaysMs: [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 16 * MINUTE, 32 * MINUTE, 64 * MINUTE, 113 * MINUTE],
    schedule: '8 retries over 4 hours, exponential',
    resignsRetries: false,
    timeoutMs: 5 * SECOND,
    secretHint: "the app's client secret",
    sign: ({ event, secret, url }) =>
      signShopifyRequest({ secret, url, topic: event.type, eventId: event.id, body: event.body }),
  },
  'standard-webhooks': {
    provider: 'standard-webhooks',
    title: 'Standard Webhooks',
    // The spec's example schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
    retryDelaysMs: [
      0,
      5 * SECOND,
      5 * MINUTE,
      30 * MINUTE,
      2 * HOUR,
      5 * HOUR,
      10 * HOUR,
      14 * HOUR,
      20 * HOUR,
      24 * HOUR,
    ],
    schedule: "the spec's example: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h",
    resignsRetries: true,
    timeoutMs: 15 * SECOND,
    secretHint: 'the endpoint secret (whsec_ + base64)',
    sign: ({ event, secret, url, now }) =>
      signStandardWebhooksRequest({ secret, url, now, id: event.id, body: event.body }),
  },
  twilio: {
    provider: 'twilio',
    title: 'Twilio',
    retryDelaysMs: [],
    schedule: 'no automatic retries unless the URL asks for them (#rc=)',
    resignsRetries: false,
    timeoutMs: 15 * SECOND,
    secretHint: 'the Auth Token',
    sign: ({ event, secret, url }) =>
      typeof event.body === 'string'
        ? signTwilioRequest({ secret, url, idempotencyToken: event.id, body: event.body })
        : signTwilioRequest({
            secret,
            url,
            idempotencyToken: event.id,
            params: Object.fromEntries(Object.entries(event.body).map(([key, value]) => [key, String(value)])),
          }),
  },
  discord: {
    provider: 'discord',
    title: 'Discord',
    retryDelaysMs: [],
    schedule: 'no retries (an interaction is answered within 3 s or fails)',
    resignsRetries: false,
    timeoutMs: 3 * SECOND,
    secretHint: 'an Ed25519 private key, PKCS#8 PEM (your endpoint is configured with its public key)',
    sign: ({ event, secret, url, now }) => signDiscordRequest({ privateKey: secret, url, now, body: event.body }),
  },
  paddle: {
    provider: 'paddle',
    title: 'Paddle',
    // Live accounts: up to 60 retries over 3 days, exponential (developer.paddle.com).
    retryDelaysMs: exponential(MINUTE, 60, 80 * MINUTE),
    schedule: '60 retries over about 3 days, exponential',
    resignsRetries: true,
    timeoutMs: 5 * SECOND,
    secretHint: 'the notification destination secret (pdl_ntfset_…)',
    sign: ({ event, secret, url, now }) => signPaddleRequest({ secret, url, now, body: event.body }),
  },
  linear: {
    provider: 'linear',
    title: 'Linear',
    // Linear does not document its schedule beyond "retried"; we assume 1 min, 1 h, 6 h. The body's
    // `webhookTimestamp` is checked within 60 s, so each attempt is signed with a fresh one.
    retryDelaysMs: [MINUTE, HOUR, 6 * HOUR],
    schedule: '3 retries: after 1 minute, 1 hour, 6 hours (assumed; Linear publishes none)',
    resignsRetries: true,
    timeoutMs: 5 * SECOND,
    secretHint: 'the webhook signing secret',
    sign: ({ event, secret, url, now }) => signLinearRequest({ secret, url, now, id: event.id, body: event.body }),
  },
}

/**
 * Every provider the tool delivers for, sorted.
 *
 * @example
 * import { DELIVERY_PROVIDERS } from 'webhook-inbox/simulator'
 * DELIVERY_PROVIDERS.includes('stripe') // true
 */
export const DELIVERY_PROVIDERS: readonly SampleProvider[] = [...SAMPLE_PROVIDERS].sort()

/**
 * The delivery profile of `provider` (signer, retry schedule, deadline), or `undefined` when the
 * tool does not know it.
 *
 * @example
 * import { deliveryProfile } from 'webhook-inbox/simulator'
 * deliveryProfile('slack')?.retryDelaysMs // [1000, 60000, 300000]
 */
export function deliveryProfile(provider: string): DeliveryProfile | undefined {
  return Object.hasOwn(PROFILES, provider) ? PROFILES[provider as SampleProvider] : undefined
}
