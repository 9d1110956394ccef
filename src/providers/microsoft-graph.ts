import { utf8 } from '../crypto/encoding.js'
import type { Provider } from '../types.js'
import { fail, type Secrets, secretList } from '../verifiers/shared.js'
import { tokenMatches } from '../verifiers/shared-token.js'
import { plainText, queryParam } from './challenge.js'
import { defineProvider, HOUR, SECOND } from './define.js'

/** Options of {@link microsoftGraph}. */
export interface MicrosoftGraphOptions {
  /** The `clientState` you set when creating the subscription; several while you rotate. */
  secret: Secrets
}

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
 * refused. The id is the SHA-256 of the body (one batch, resent unchanged); the type is the
 * first item's `changeType` (or `lifecycleEvent`). Rich notifications' `validationTokens` JWTs
 * are not checked by this preset. Sources: learn.microsoft.com "Set up notifications for changes
 * in resource data", changeNotificationCollection [DOC]; retries for up to about 4 h and the 3 s
 * answer [MEM, unconfirmed].
 *
 * @example
 * import { microsoftGraph } from 'webhook-inbox/providers'
 * const provider = microsoftGraph({ secret: process.env.GRAPH_CLIENT_STATE })
 */
export function microsoftGraph<T = unknown>(options: MicrosoftGraphOptions): Provider<T> {
  const keys = secretList(options?.secret, 'microsoft-graph')
  return defineProvider<T>({
    name: 'microsoft-graph',
    signatureHeaders: [],
    retryWindowMs: 4 * HOUR,
    responseDeadlineMs: 3 * SECOND,
    info: {
      title: 'Microsoft Graph',
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
        items = (JSON.parse(d.text()) as { value?: unknown } | null)?.value
      } catch {
        return fail('missing_signature', 'the body is not JSON, so it carries no clientState.', 'microsoft-graph')
      }
      if (!Array.isArray(items) || items.length === 0) {
        return fail('missing_signature', 'the body has no `value` notifications, so no clientState.', 'microsoft-graph')
      }
      let all = true
      for (const item of items as Notification[]) {
        const state = item !== null && typeof item === 'object' ? item.clientState : undefined
        // Every item is checked, whatever the outcome, so the time does not tell which one failed.
        const ok = typeof state === 'string' && state !== '' && (await tokenMatches(utf8(state), keys))
        all = all && ok
      }
      return all
        ? { ok: true }
        : fail('invalid_token', 'a notification clientState does not match the configured secret.', 'microsoft-graph')
    },
    type: (_d, payload) => {
      const first = (payload as { value?: Notification[] } | null)?.value?.[0]
      const type = first?.changeType ?? first?.lifecycleEvent
      return typeof type === 'string' ? type : undefined
    },
  })
}
