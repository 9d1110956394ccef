import { configInvariant } from '../errors.js'
import type { Provider } from '../types.js'
import { verifyHmac } from '../verifiers/hmac.js'
import { fail, type Secrets, secretList } from '../verifiers/shared.js'
import { DAY, defineProvider, parseForm, RETRIES_NONE, SECOND } from './define.js'

/** Options of {@link github}. */
export interface GitHubOptions {
  /** The webhook secret(s) set on the hook; several while you rotate. */
  secret: Secrets
  /**
   * Enqueue the `ping` event GitHub sends when a hook is created, like any other event (the
   * behaviour before 0.2). By default a verified ping is answered 200 `{"ok":true,"ping":true}`
   * and neither deduplicated nor enqueued.
   * @default false
   */
  enqueuePing?: boolean
}

/**
 * GitHub repository, organisation and App webhooks: `X-Hub-Signature-256` (`sha256=` + hex
 * HMAC-SHA256 of the body), id `X-GitHub-Delivery` (unchanged on redelivery), type
 * `X-GitHub-Event`. Neither header is signed: each delivery is also claimed under the body's
 * hash, so the same signed body under another delivery id is a duplicate, and the type is only
 * as trustworthy as the sender. JSON and form (`payload=`) content types are both accepted.
 *
 * GitHub does not retry by itself; deliveries are redelivered by hand or through the API for
 * up to 3 days, so that is the retry window. It waits 10 s for an answer.
 * Source: docs.github.com "Validating webhook deliveries", "Handling failed webhook deliveries".
 *
 * The `ping` sent when the hook is created is verified, then answered without reaching your
 * queue (`enqueuePing: true` enqueues it). It is recognised by `X-GitHub-Event: ping` and by
 * its signed body (`zen` and `hook_id`), so a header alone cannot turn an event into a ping.
 *
 * @example
 * import { github } from 'webhook-inbox/providers'
 * const provider = github({ secret: process.env.GITHUB_WEBHOOK_SECRET })
 */
export function github<T = unknown>(options: GitHubOptions): Provider<T> {
  const keys = secretList(options?.secret, 'github')
  const enqueuePing = options.enqueuePing ?? false
  configInvariant(typeof enqueuePing === 'boolean', '`enqueuePing` is true or false.', 'github')
  return defineProvider<T>({
    name: 'github',
    signatureHeaders: ['x-hub-signature-256', 'x-hub-signature'],
    retriedStatuses: RETRIES_NONE,
    retryWindowMs: 3 * DAY,
    responseDeadlineMs: 10 * SECOND,
    info: {
      title: 'GitHub',
      retries: 'none automatic: a failed delivery is redelivered by hand or through the API (GitHub docs)',
      scheme: 'HMAC-SHA256 hex of the body, `sha256=` prefix',
      headers: ['X-Hub-Signature-256'],
      id: '`X-GitHub-Delivery` header',
      type: '`X-GitHub-Event` header',
      typeSigned: false,
      handshake: '`ping` event answered 200, not enqueued (`enqueuePing: true` enqueues it)',
    },
    verify: (d) => {
      if (!d.header('x-hub-signature-256') && d.header('x-hub-signature')) {
        return Promise.resolve(
          fail(
            'missing_signature',
            'only the legacy X-Hub-Signature (HMAC-SHA1) header came, and X-Hub-Signature-256 is required: SHA-1 signatures are not accepted. GitHub.com sends both when the webhook has a secret; an old GitHub Enterprise Server, or a proxy that drops the header, sends only SHA-1.',
            'github',
          ),
        )
      }
      return verifyHmac({
        payload: d.bytes,
        signature: d.header('x-hub-signature-256'),
        secret: keys,
        prefix: 'sha256=',
        provider: 'github',
      })
    },
    body: (d) => {
      const contentType = d.header('content-type') ?? ''
      if (contentType.startsWith('application/x-www-form-urlencoded')) {
        const form = parseForm(d.text())
        return JSON.parse(typeof form.payload === 'string' ? form.payload : '')
      }
      return JSON.parse(d.text())
    },
    handshake: (d, payload) => {
      if (enqueuePing || d.header('x-github-event') !== 'ping') return undefined
      const body = payload as { zen?: unknown; hook_id?: unknown } | null
      if (typeof body?.zen !== 'string' || body.hook_id === undefined) return undefined
      return {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        body: '{"ok":true,"ping":true}',
      }
    },
    id: (d) => d.header('x-github-delivery'),
    type: (d) => d.header('x-github-event'),
  })
}
