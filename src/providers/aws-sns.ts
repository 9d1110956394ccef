import { configInvariant, WebhookError, WebhookVerificationError } from '../errors.js'
import type { Provider, WebhookResponse } from '../types.js'
import { checkTolerance, fail, parseUnverifiedJson } from '../verifiers/shared.js'
import {
  type CertificateFetch,
  certificateSource,
  defaultFetch,
  type HostAllowList,
  hostAllowed,
  SNS_CERTIFICATE_HOSTS,
  type SnsMessage,
  verifySns,
} from '../verifiers/x509.js'
import { defineProvider, HOUR, MINUTE, pick, RETRIES_5XX, SECOND } from './define.js'

/** Options of {@link awsSns}. */
export interface AwsSnsOptions {
  /**
   * The topic ARN(s) this endpoint is subscribed to; messages from any other topic are refused
   * before anything else happens. SNS signs every topic's messages with the same AWS
   * certificate, so without this anyone could subscribe your endpoint to their own topic.
   * `'*'` accepts every topic (not recommended).
   */
  topicArn: string | readonly string[]
  /**
   * Downloads the signing certificate and, unless `onSubscriptionConfirmation` is set, visits
   * `SubscribeURL`. Only HTTPS URLs on `certificateHosts` (an SNS host by default) are ever passed
   * to it, for certificates and subscriptions alike.
   * @default globalThis.fetch
   */
  fetch?: CertificateFetch
  /**
   * Hosts the certificate may come from (exact names or patterns); the URL must also be HTTPS
   * and end in `.pem`.
   * @default [/^sns\.[a-z0-9-]{3,}\.amazonaws\.com(\.cn)?$/]
   */
  certificateHosts?: HostAllowList
  /** Certificates kept in memory, by URL. @default 32 */
  certificateCacheSize?: number
  /** How long one certificate download may take before it counts as failed (and is not cached). @default 5000 */
  certificateTimeoutMs?: number
  /**
   * Largest distance between the message `Timestamp` and now, either direction. SNS keeps the
   * publish time across retries, which it stops after at most 3 600 s.
   * @default 3900000 (65 minutes)
   */
  toleranceMs?: number
  /**
   * Handles a verified `SubscriptionConfirmation` instead of the automatic confirmation (a GET of
   * `SubscribeURL`), for example to confirm through the AWS SDK with `Token`.
   */
  onSubscriptionConfirmation?: (message: SnsMessage) => unknown
}

function snsSubscribeUrl(text: unknown, hosts: HostAllowList): boolean {
  if (typeof text !== 'string') return false
  try {
    const url = new URL(text)
    return url.protocol === 'https:' && !url.username && !url.password && !url.port && hostAllowed(url.hostname, hosts)
  } catch {
    return false
  }
}

const EMPTY_OK: WebhookResponse = { status: 200, headers: {}, body: '' }

// Same shape as the handler's own refusals (src/core/responses.ts).
function errorResponse(error: WebhookError): WebhookResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: error.toJSON() }),
  }
}

/**
 * AWS SNS HTTP(S) subscriptions: the JSON body carries `Signature` (RSA-SHA1 for
 * `SignatureVersion` 1, RSA-SHA256 for 2) over a canonical string of its fields, and the URL of
 * the signing certificate, fetched only from an SNS host and cached (docs.aws.amazon.com
 * "Verifying the signatures of Amazon SNS messages"; sns-validator). The body is JSON even when
 * the content type says `text/plain`.
 *
 * Handshakes, after verification: `SubscriptionConfirmation` is confirmed by a GET of
 * `SubscribeURL` (only to an SNS host) or handed to `onSubscriptionConfirmation`;
 * `UnsubscribeConfirmation` is acknowledged. Neither is enqueued. The id is `MessageId`, the type
 * `Type`. SNS retries for at most 3 600 s (3 tries 20 s apart by default) and counts 5xx and
 * timeouts as failures. AWS does not state the HTTP timeout on that page; we assume 15 s.
 *
 * @example
 * import { awsSns } from 'webhook-inbox/providers'
 * const provider = awsSns({ topicArn: 'arn:aws:sns:eu-west-1:123456789012:orders' })
 */
export function awsSns<T = unknown>(options: AwsSnsOptions): Provider<T> {
  const topics = typeof options?.topicArn === 'string' ? [options.topicArn] : (options?.topicArn ?? [])
  configInvariant(
    Array.isArray(topics) && topics.length > 0 && topics.every((t) => typeof t === 'string' && t.length > 0),
    "`topicArn` is missing: pass the ARN of the topic this endpoint subscribes to (or '*' to accept any topic, which lets anyone subscribe your endpoint to theirs).",
    'aws-sns',
  )
  const anyTopic = topics.includes('*')
  const toleranceMs = checkTolerance(options.toleranceMs, 65 * MINUTE, 'aws-sns')
  const hosts = options.certificateHosts ?? SNS_CERTIFICATE_HOSTS
  const download = options.fetch ?? defaultFetch()
  const certificates = certificateSource({
    fetch: download,
    allow: (url) => url.pathname.endsWith('.pem') && hostAllowed(url.hostname, hosts),
    cacheSize: options.certificateCacheSize,
    timeoutMs: options.certificateTimeoutMs,
    provider: 'aws-sns',
  })
  const subscribeHosts = options.certificateHosts ?? SNS_CERTIFICATE_HOSTS
  return defineProvider<T>({
    name: 'aws-sns',
    idSigned: true,
    signatureHeaders: [],
    retriedStatuses: RETRIES_5XX,
    retryWindowMs: HOUR,
    responseDeadlineMs: 15 * SECOND,
    info: {
      title: 'AWS SNS',
      retries: '5xx and timeouts, 3 times 20 s apart by default; every 2xx–4xx is final (AWS docs)',
      scheme: 'RSA-SHA1/SHA256 of the canonical message, certificate from an SNS host',
      headers: [],
      id: 'body `MessageId`',
      type: 'body `Type`',
      typeSigned: true,
      handshake: '`SubscriptionConfirmation` → GET `SubscribeURL` (or your hook); `UnsubscribeConfirmation` → 200',
      toleranceMs,
    },
    verify: async (d) => {
      let topic: unknown
      try {
        topic = (parseUnverifiedJson(d.text()) as { TopicArn?: unknown } | null)?.TopicArn
      } catch {
        topic = undefined
      }
      if (!anyTopic && (typeof topic !== 'string' || !topics.includes(topic))) {
        return fail('invalid_token', 'the message is not from a topic listed in `topicArn`.', 'aws-sns')
      }
      const result = await verifySns({ payload: d.bytes, certificates, now: d.now, toleranceMs, provider: 'aws-sns' })
      return result.ok ? { ok: true, timestamp: result.timestamp } : result
    },
    handshake: async (_d, payload) => {
      const message = payload as unknown as SnsMessage
      if (message.Type === 'UnsubscribeConfirmation') return EMPTY_OK
      if (message.Type !== 'SubscriptionConfirmation') return undefined
      try {
        if (options.onSubscriptionConfirmation) {
          await options.onSubscriptionConfirmation(message)
          return EMPTY_OK
        }
        if (!snsSubscribeUrl(message.SubscribeURL, subscribeHosts) || !download) {
          return errorResponse(
            new WebhookVerificationError(
              'invalid_body',
              'SubscribeURL is not an SNS URL; the subscription was not confirmed.',
              {
                provider: 'aws-sns',
              },
            ),
          )
        }
        const response = await download(message.SubscribeURL as string)
        if (response.ok) return EMPTY_OK
      } catch {
        // Reported below as a failure, so that SNS sends the confirmation again.
      }
      return errorResponse(
        new WebhookError(
          'internal_error',
          'the subscription could not be confirmed; SNS will resend the confirmation.',
          {
            provider: 'aws-sns',
            status: 503,
          },
        ),
      )
    },
    id: (_d, payload) => pick(payload, 'MessageId'),
    type: (_d, payload) => pick(payload, 'Type'),
  })
}
