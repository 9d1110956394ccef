import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { HOUR, pick, RETRIES_5XX } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link jira}. */
export interface JiraOptions {
  /** The secret set when the webhook was registered; several while you rotate. */
  secret: Secrets
}

/**
 * Jira Cloud (and other Atlassian admin) webhooks registered with a secret, signed WebSub-style:
 * `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>`. The id is
 * `X-Atlassian-Webhook-Identifier`, unique per site and unchanged across retries; the type is
 * the body's `webhookEvent` (`jira:issue_created`, ...). Connect apps sign with a JWT instead
 * (not this preset). Sources: jira.js webhook typings and a third-party guide (Hookdeck).
 * Atlassian says failed deliveries are retried "up to 5 times" without stating over how long;
 * we assume within a day.
 *
 * @example
 * import { jira } from 'webhook-inbox/providers'
 * const provider = jira({ secret: process.env.JIRA_WEBHOOK_SECRET })
 */
export function jira<T = unknown>(options: JiraOptions): Provider<T> {
  return hmacBodyProvider<T>({
    name: 'jira',
    retriedStatuses: RETRIES_5XX,
    retries: '408, 409, 425, 429 and 5xx reported, not confirmed; 5xx assumed',
    title: 'Jira / Atlassian',
    retryWindowMs: 1 * HOUR,
    signature: 'x-hub-signature',
    headers: ['X-Hub-Signature', 'X-Atlassian-Webhook-Identifier'],
    keys: secretList(options?.secret, 'jira'),
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
    idSource: '`X-Atlassian-Webhook-Identifier` header',
    typeSource: 'body `webhookEvent`',
    typeSigned: true,
    id: (d) => d.header('x-atlassian-webhook-identifier'),
    type: (_d, payload) => pick(payload, 'webhookEvent'),
  })
}
