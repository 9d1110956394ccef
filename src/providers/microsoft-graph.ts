import { utf8 } from '../crypto/encoding.js'
import type { Provider } from '../types.js'
import { fail, parseUnverifiedJson, type Secrets, secretList } from '../verifiers/shared.js'
import { tokenDigests, tokenMatchesDigests } from '../verifiers/shared-token.js'
import { plainText, queryParam } from './challenge.js'
import { defineProvider, HOUR, RETRIES_5XX, SECOND } from './define.js'

/** Options of {@link microsoftGraph}. */
export interface MicrosoftGraphOptions {
  /** The `clientState` you set when creating the subscription; several while you rotate. */
  secret: Secrets
}

/**
 * Most notifications one delivery may carry. Graph does not document a batch size; it batches
 * notifications of one subscription, and we assume far fewer than this per request.
 */
const MAX_NOTIFICATIONS = 1000

interface Notification {
  clientState?: unknown
  changeType?: unknown
  lifecycleEvent?: unknown
}

/**
 * Microsoft Graph change notifications (basic, and lifecycle notifications).
 * Validation: `POST ?validationToken=<token>` (on subscribe and renew) is answered 200
 * `text/plain` with the decoded token, within Graph's 10 s. Notifications: `{ value: [...] }`;
 * every item's `clientState` must equal the secret (constant time), or the whole delivery is
 * refused; a delivery of more than 1000 items is refused unchecked. The id is the SHA-256 of the body (one batch, resent unchanged); the type is the
 * first item's `changeType` (or `lifecycleEvent`). Rich notifications' `validationTokens` JWTs
 * are not checked by this preset. Sources: learn.microsoft.com "Set up notifications for changes
 * in resource data", changeNotificationCollection, and "Receive change notifications through
 * webhooks" (any 2xx accepts; other answers are retried for up to 4 h; answer within 3 s).
 *
 * @example
 * import { microsoftGraph } from 'webhook-inbox/providers'
 * const provider = microsoftGraph({ secret: process.env.GRAPH_CLIENT_STATE })
 */
export function microsoftGraph<T = unknown>(options: MicrosoftGraphOptions): Provider<T> {
  const keys = secretList(options?.secret, 'microsoft-graph')
  let digests: Promise<Uint8Array[]> | undefined
  return defineProvider<T>({
    name: 'microsoft-graph',
    signatureHeaders: [],
    retriedStatuses: RETRIES_5XX,
    retryWindowMs: 4 * HOUR,
    responseDeadlineMs: 3 * SECOND,
    info: {
      title: 'Microsoft Graph',
      retries: 'for up to about 4 h, statuses not confirmed; 5xx assumed',
      scheme: '`clientState` of every item, constant-time compare',
      headers: [],
      id: 'SHA-256 of the body (one batch of `value[]`)',
      type: 'body `changeType` (shared token: nothing is signed)',
      typeSigned: false,
      sharedToken: true,
      handshake: '`POST ?validationToken=` echoed as text/plain',
    },
    beforeVerify: (d) => {
      const token = queryParam(d, 'validationToken')
      return token === undefined ? undefined : plainText(token)
    },
    verify: async (d) => {
      let items: unknown
      try {
        items = (parseUnverifiedJson(d.text()) as { value?: unknown } | null)?.value
      } catch {
        return fail('missing_signature', 'the body is not JSON, so it carries no clientState.', 'microsoft-graph')
      }
      if (!Array.isArray(items) || items.length === 0) {
        return fail('missing_signature', 'the body has no `value` notifications, so no clientState.', 'microsoft-graph')
      }
      if (items.length > MAX_NOTIFICATIONS) {
        return fail(
          'malformed_signature',
          `the body has more than ${MAX_NOTIFICATIONS} notifications; Graph batches far fewer.`,
          'microsoft-graph',
        )
      }
      // The secrets are hashed once per preset, each item's clientState once; the first item that
      // does not match ends the check (which item failed tells nothing about the secret).
      digests ??= tokenDigests(keys)
      const expected = await digests
      for (const item of items as Notification[]) {
        const state = item !== null && typeof item === 'object' ? item.clientState : undefined
        if (typeof state !== 'string' || state === '' || !(await tokenMatchesDigests(utf8(state), expected))) {
          return fail(
            'invalid_token',
            'a notification clientState does not match the configured secret.',
            'microsoft-graph',
          )
        }
      }
      return { ok: true }
    },
    type: (_d, payload) => {
      const first = (payload as { value?: Notification[] } | null)?.value?.[0]
      const type = first?.changeType ?? first?.lifecycleEvent
      return typeof type === 'string' ? type : undefined
    },
  })
}
