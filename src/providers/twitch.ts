import type { Provider } from '../types.js'
import { verifySeparateTimestamp } from '../verifiers/separate-timestamp.js'
import { checkTolerance, type Secrets, secretList } from '../verifiers/shared.js'
import { defineProvider, MINUTE, pick, RETRIES_5XX, SECOND } from './define.js'

/** Options of {@link twitch}. */
export interface TwitchOptions {
  /** The subscription's `transport.secret` (10–100 ASCII characters); several while you rotate. */
  secret: Secrets
  /**
   * Either direction. Twitch: "Make sure the value in the message_timestamp field isn't older
   * than 10 minutes" (dev.twitch.tv/docs/eventsub, "Guarding against replay attacks").
   * @default 600000 (10 minutes)
   */
  toleranceMs?: number
}

/**
 * Twitch EventSub over webhooks: `Twitch-Eventsub-Message-Signature: sha256=<hex>` HMAC-SHA256
 * of message id + timestamp + body (no separators); the timestamp is RFC 3339 with nanoseconds.
 *
 * Handshake: `webhook_callback_verification` is verified, then answered `200` with the raw
 * `challenge` as `text/plain` (dev.twitch.tv "Handling webhook events"). `revocation` messages are
 * accepted and enqueued with type `revocation` (the reason is in `payload.subscription.status`).
 *
 * Id `Twitch-Eventsub-Message-Id` (signed, the same when Twitch resends); type the signed
 * body's `subscription.type` for notifications and `revocation` for a body without `event`; the
 * unsigned `Twitch-Eventsub-Subscription-Type` and `-Message-Type` headers are not trusted. Twitch wants an answer within a few
 * seconds, or revokes the subscription after repeated failures.
 *
 * @example
 * import { twitch } from 'webhook-inbox/providers'
 * const provider = twitch({ secret: process.env.TWITCH_EVENTSUB_SECRET })
 */
export function twitch<T = unknown>(options: TwitchOptions): Provider<T> {
  const keys = secretList(options?.secret, 'twitch')
  const toleranceMs = checkTolerance(options.toleranceMs, 10 * MINUTE, 'twitch')
  return defineProvider<T>({
    name: 'twitch',
    idSigned: true,
    signatureHeaders: ['twitch-eventsub-message-signature'],
    retriedStatuses: RETRIES_5XX,
    responseDeadlineMs: 3 * SECOND,
    info: {
      title: 'Twitch EventSub',
      retries: 'not documented (failing endpoints get the subscription revoked); 5xx assumed',
      scheme: 'HMAC-SHA256 hex of `id + timestamp + body`, `sha256=` prefix',
      headers: ['Twitch-Eventsub-Message-Signature', 'Twitch-Eventsub-Message-Id', 'Twitch-Eventsub-Message-Timestamp'],
      id: '`Twitch-Eventsub-Message-Id` header (signed)',
      type: 'body `subscription.type` (`revocation` when the body has no `event`)',
      typeSigned: true,
      handshake: '`webhook_callback_verification` (signed) → `challenge` as text/plain',
      toleranceMs,
    },
    verify: async (d) => {
      const result = await verifySeparateTimestamp({
        payload: d.bytes,
        signature: d.header('twitch-eventsub-message-signature'),
        timestamp: d.header('twitch-eventsub-message-timestamp'),
        id: d.header('twitch-eventsub-message-id'),
        requireId: true,
        baseString: ({ id, timestamp }) => `${id}${timestamp}`,
        prefix: 'sha256=',
        timestampFormat: 'rfc3339',
        secret: keys,
        now: d.now,
        toleranceMs,
        provider: 'twitch',
      })
      return result.ok ? { ok: true, timestamp: result.timestamp } : result
    },
    handshake: (d, payload) => {
      if (d.header('twitch-eventsub-message-type') !== 'webhook_callback_verification') return undefined
      const challenge = (payload as { challenge?: unknown } | null)?.challenge
      if (typeof challenge !== 'string') return undefined
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: challenge }
    },
    id: (d) => d.header('twitch-eventsub-message-id'),
    // From the signed body, never the unsigned `Twitch-Eventsub-Message-Type` or
    // `-Subscription-Type` headers: a notification carries `event`, a revocation does not.
    type: (_d, payload) =>
      payload !== null && typeof payload === 'object' && 'event' in payload
        ? pick(payload, 'subscription.type')
        : 'revocation',
  })
}
