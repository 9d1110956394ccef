import type { Provider } from '../types.js'
import { verifySeparateTimestamp } from '../verifiers/separate-timestamp.js'
import { checkTolerance, type Secrets, secretList } from '../verifiers/shared.js'
import {
  type DeliveryContext,
  defineProvider,
  MINUTE,
  parseForm,
  pick,
  RETRIES_ANY_ERROR,
  SECOND,
  secretFormatHint,
} from './define.js'

/** Options of {@link slack}. */
export interface SlackOptions {
  /** The app's Signing Secret (Basic Information page); several while you rotate. */
  secret: Secrets
  /** Either direction; Bolt checks only the past side. @default 300000 (5 minutes, as Bolt) */
  toleranceMs?: number
}

function isForm(d: DeliveryContext): boolean {
  return (d.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
}

/**
 * Slack (Events API, slash commands, interactivity, options loads): `X-Slack-Signature:
 * v0=<hex>` HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<body>`. The body is JSON (Events
 * API) or a form (slash commands: the fields; interactivity: its `payload` field, parsed as
 * Bolt does).
 *
 * Handshakes: `url_verification` is answered after the signature check with
 * `200 {"challenge":"…"}` (application/json, as Bolt); a form post with `ssl_check=1` gets an
 * empty 200 without a signature check, as Bolt does (docs.slack.dev "Implementing slash
 * commands"), and nothing else of it is read.
 *
 * Id `event_id` for Events API callbacks (the same on Slack's retries, which carry
 * `X-Slack-Retry-Num`, kept in `event.headers`); slash commands and interactions are never
 * retried and get the SHA-256 of the signed bytes. Type `event.type`, the slash `command`, or the
 * interaction `type`. Slack waits 3 s and retries 3 times within about 6 minutes.
 *
 * @example
 * import { slack } from 'webhook-inbox/providers'
 * const provider = slack({ secret: process.env.SLACK_SIGNING_SECRET })
 */
export function slack<T = unknown>(options: SlackOptions): Provider<T> {
  const keys = secretList(options?.secret, 'slack')
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'slack')
  const secretHint = secretFormatHint(options?.secret, [
    { prefix: /^xox[abpre]-/, is: 'a Slack OAuth token' },
    { prefix: /^xapp-/, is: 'a Slack app-level token' },
  ])
  return defineProvider<T>({
    name: 'slack',
    signatureHeaders: ['x-slack-signature'],
    // The body is parsed as JSON or as a form by the unsigned Content-Type, so the same signed
    // bytes could yield another `event_id`: the signed-material key is claimed too.
    idSigned: false,
    retriedStatuses: RETRIES_ANY_ERROR,
    secretHint,
    retryWindowMs: 6 * MINUTE,
    responseDeadlineMs: 3 * SECOND,
    info: {
      title: 'Slack',
      retries: 'any HTTP error or timeout, 3 times within about 5 min (Slack docs)',
      scheme: 'HMAC-SHA256 hex of `v0:timestamp:body`, `v0=` prefix',
      headers: ['X-Slack-Signature', 'X-Slack-Request-Timestamp'],
      id: 'body `event_id`; SHA-256 of the signed bytes for commands and interactions',
      type: 'body `event.type` / `command` / `type`',
      typeSigned: true,
      handshake: '`url_verification` (signed), `ssl_check` (unsigned, empty 200)',
      toleranceMs,
    },
    beforeVerify: (d) => {
      // An ssl_check post is two short fields; a larger body is not parsed before its signature.
      if (d.method === 'POST' && isForm(d) && d.bytes.length <= 4096 && parseForm(d.text()).ssl_check === '1') {
        return { status: 200, headers: {}, body: '' }
      }
      return undefined
    },
    verify: async (d) => {
      const result = await verifySeparateTimestamp({
        payload: d.bytes,
        signature: d.header('x-slack-signature'),
        timestamp: d.header('x-slack-request-timestamp'),
        baseString: ({ timestamp }) => `v0:${timestamp}:`,
        prefix: 'v0=',
        secret: keys,
        now: d.now,
        toleranceMs,
        provider: 'slack',
      })
      return result.ok ? { ok: true, timestamp: result.timestamp, signedMaterial: result.signedMaterial } : result
    },
    // Bolt's parseHTTPRequestBody: a form's `payload` field is the interaction as JSON.
    body: (d) => {
      if (!isForm(d)) return JSON.parse(d.text())
      const form = parseForm(d.text())
      return typeof form.payload === 'string' ? JSON.parse(form.payload) : form
    },
    handshake: (_d, payload) => {
      if (pick(payload, 'type') !== 'url_verification') return undefined
      const challenge = (payload as { challenge?: unknown }).challenge
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ challenge }),
      }
    },
    // Slash commands and interactions (form posts) are acknowledged with an empty 200: a body
    // there is posted to the user as a message, and a view_submission reads it as its
    // response_action (Bolt's ack() with no argument sends an empty body). Events API deliveries
    // accept any 200, so they keep the JSON answer.
    acceptedResponse: (d) =>
      isForm(d) ? { status: 200, headers: { 'cache-control': 'no-store' }, body: '' } : undefined,
    id: (_d, payload) => pick(payload, 'event_id'),
    type: (_d, payload) =>
      (pick(payload, 'type') === 'event_callback' ? pick(payload, 'event.type') : undefined) ??
      pick(payload, 'command') ??
      pick(payload, 'type'),
  })
}
