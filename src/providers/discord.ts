import type { Provider, WebhookResponse } from '../types.js'
import { type Ed25519PublicKey, ed25519PublicKeys, verifyTimestampedEd25519 } from '../verifiers/ed25519.js'
import { checkTolerance } from '../verifiers/shared.js'
import { defineProvider, MINUTE, pick, RETRIES_5XX, SECOND } from './define.js'

/** Options of {@link discord}. */
export interface DiscordOptions {
  /** The application's public key (hex, from the Developer Portal); several while you rotate. */
  publicKey: Ed25519PublicKey | undefined | readonly (Ed25519PublicKey | undefined)[]
  /**
   * Largest distance between `X-Signature-Timestamp` and now, either direction. Discord's SDK
   * checks none; interactions are answered within 3 s and not retried, so a short window costs
   * nothing and stops replays.
   * @default 300000 (5 minutes)
   */
  toleranceMs?: number
  /**
   * Make the deferred reply to commands and modal submits visible to the invoking user only
   * (`flags: 64`). Your worker then edits the original response with the real content.
   * @default false
   */
  ephemeral?: boolean
}

const JSON_HEADERS = { 'content-type': 'application/json' }

/**
 * What Discord needs back once an event is queued: interactions must be answered within 3 s and
 * the answer is the response itself, so a queued command gets a deferred reply (type 5, "thinking…")
 * that the worker later edits, a component gets type 6 (deferred update), an autocomplete an empty
 * list (type 8, it cannot be deferred); webhook events get 204.
 * Source: discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type
 */
function acceptedAnswer(payload: unknown, ephemeral: boolean): WebhookResponse | undefined {
  if (isWebhookEvent(payload)) return { status: 204, headers: {}, body: '' }
  switch (pick(payload, 'type')) {
    case '2':
    case '5':
      return {
        status: 200,
        headers: JSON_HEADERS,
        body: JSON.stringify(ephemeral ? { type: 5, data: { flags: 64 } } : { type: 5 }),
      }
    case '3':
      return { status: 200, headers: JSON_HEADERS, body: '{"type":6}' }
    case '4':
      return { status: 200, headers: JSON_HEADERS, body: '{"type":8,"data":{"choices":[]}}' }
    default:
      return undefined
  }
}

function isWebhookEvent(payload: unknown): boolean {
  return pick(payload, 'type') === '0' || (payload !== null && typeof payload === 'object' && 'event' in payload)
}

/**
 * Discord interactions and webhook events: `X-Signature-Ed25519` (hex) over
 * `X-Signature-Timestamp` + raw body with the application's public key (discord-interactions
 * verifyKey; discord.com/developers "Interactions: receiving and responding", "Webhook events").
 *
 * Handshakes, answered after verification: an interaction PING (`type: 1`) gets
 * `200 {"type":1}`; a webhook-events PING (`type: 0`) gets `204` with no body. Discord also sends
 * badly signed requests on purpose and expects 401, which every refusal here is.
 *
 * The id is the interaction `id`; webhook events carry none, so theirs is the SHA-256 of the
 * body. The type is the interaction `type` or the event's `event.type`. Interactions must be
 * answered within 3 s: once queued, a command or modal submit gets a deferred reply `{"type":5}`,
 * a component `{"type":6}`, an autocomplete `{"type":8,"data":{"choices":[]}}`, and a webhook
 * event 204; your worker follows up through the interaction webhook.
 *
 * @example
 * import { discord } from 'webhook-inbox/providers'
 * const provider = discord({ publicKey: process.env.DISCORD_PUBLIC_KEY })
 */
export function discord<T = unknown>(options: DiscordOptions): Provider<T> {
  const keys = ed25519PublicKeys(options?.publicKey, 'discord')
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'discord')
  return defineProvider<T>({
    name: 'discord',
    idSigned: true,
    signatureHeaders: ['x-signature-ed25519'],
    retriedStatuses: RETRIES_5XX,
    responseDeadlineMs: 3 * SECOND,
    info: {
      title: 'Discord',
      retries: 'interactions are never retried; webhook events: not documented, 5xx assumed',
      scheme: 'Ed25519 (hex) of timestamp + body',
      headers: ['X-Signature-Ed25519', 'X-Signature-Timestamp'],
      id: 'body `id` (interactions), else SHA-256 of the body',
      type: 'body `type` / `event.type`',
      typeSigned: true,
      handshake: 'PING `type: 1` → `{"type":1}`; webhook-events PING `type: 0` → 204',
      toleranceMs,
    },
    verify: async (d) => {
      const result = await verifyTimestampedEd25519({
        payload: d.bytes,
        signature: d.header('x-signature-ed25519'),
        timestamp: d.header('x-signature-timestamp'),
        publicKey: keys,
        now: d.now,
        toleranceMs,
        provider: 'discord',
      })
      // The timestamp changes per delivery; the body alone gives webhook events a stable id.
      return result.ok ? { ok: true, timestamp: result.timestamp } : result
    },
    handshake: (_d, payload): WebhookResponse | undefined => {
      const type = pick(payload, 'type')
      if (type === '0' && isWebhookEvent(payload)) return { status: 204, headers: {}, body: '' }
      if (type === '1' && !isWebhookEvent(payload)) {
        return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"type":1}' }
      }
      return undefined
    },
    acceptedResponse: (_d, payload) => acceptedAnswer(payload, options.ephemeral === true),
    id: (_d, payload) => (isWebhookEvent(payload) ? undefined : pick(payload, 'id')),
    type: (_d, payload) => (isWebhookEvent(payload) ? pick(payload, 'event.type') : pick(payload, 'type')),
  })
}
