import { configInvariant } from '../errors.js'
import type { Provider } from '../types.js'
import { checkTolerance, type Secrets, secretList } from '../verifiers/shared.js'
import { verifySharedToken } from '../verifiers/shared-token.js'
import { standardWebhooksKeys, verifyStandardWebhooks } from '../verifiers/standard-webhooks.js'
import { defineProvider, MINUTE, RETRIES_5XX, SECOND } from './define.js'

/** Options of {@link gitlab}. */
export interface GitLabOptions {
  /** The webhook's secret token, sent verbatim in `X-Gitlab-Token`; several while you rotate. */
  secret?: Secrets
  /**
   * The webhook's signing token (`whsec_…`), for GitLab versions that sign deliveries
   * (Standard Webhooks `webhook-signature`, behind the `webhook_signing_token` feature flag).
   * When both are set, a delivery must carry both.
   */
  signingToken?: Secrets
  /**
   * Tolerance of the signed `webhook-timestamp` (signing token only), either direction.
   * @default 300000 (5 minutes)
   */
  toleranceMs?: number
}

/**
 * GitLab project, group and system hooks. Classic: `X-Gitlab-Token` carries the secret token
 * verbatim and is compared in constant time (it proves the sender, not the body, and is kept out
 * of events). Newer GitLab can also sign with a signing token: HMAC-SHA256 base64 over
 * `webhook-id.webhook-timestamp.body` (Standard Webhooks), key `whsec_` + base64 of 32 bytes
 * (gitlab-org/gitlab!230944, !231325). With a signing token the id is the signed `webhook-id`;
 * with the secret token alone it is `Idempotency-Key` (the same on retries of one event,
 * gitlab-org/gitlab#388692), else `X-Gitlab-Event-UUID`, neither of them signed: a shared token
 * binds nothing, so anyone holding it can send any id. Type `X-Gitlab-Event` (not signed). GitLab waits
 * 10 s and does not retry by itself (failing hooks are disabled); this comes from third-party
 * guides, not GitLab's reference.
 *
 * @example
 * import { gitlab } from 'webhook-inbox/providers'
 * const provider = gitlab({ secret: process.env.GITLAB_WEBHOOK_TOKEN })
 */
export function gitlab<T = unknown>(options: GitLabOptions): Provider<T> {
  configInvariant(
    options?.secret !== undefined || options?.signingToken !== undefined,
    '`secret` is missing: pass the webhook secret token (X-Gitlab-Token), or `signingToken` (whsec_…) for signed deliveries.',
    'gitlab',
  )
  const tokens = options.secret === undefined ? undefined : secretList(options.secret, 'gitlab')
  const signingKeys =
    options.signingToken === undefined ? undefined : standardWebhooksKeys(options.signingToken, 'base64', 'gitlab')
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'gitlab')
  return defineProvider<T>({
    name: 'gitlab',
    retriedStatuses: RETRIES_5XX,
    responseDeadlineMs: 10 * SECOND,
    sensitiveHeaders: ['x-gitlab-token'],
    signatureHeaders: ['webhook-signature'],
    // With a signing token the id is the signed `webhook-id`; with the token alone nothing is
    // signed, so no key can come from signed material (see verify).
    idSigned: signingKeys !== undefined,
    info: {
      title: 'GitLab',
      retries: 'not documented; 5xx assumed',
      scheme: signingKeys
        ? 'Standard Webhooks HMAC-SHA256 (signing token)'
        : 'shared token, constant-time compare (optional signing token)',
      headers: signingKeys ? ['webhook-signature', 'webhook-id', 'webhook-timestamp'] : ['X-Gitlab-Token'],
      id: signingKeys ? '`webhook-id` header (signed)' : '`Idempotency-Key` header',
      type: '`X-Gitlab-Event` header',
      typeSigned: false,
      ...(signingKeys ? {} : { sharedToken: true }),
      ...(signingKeys ? { toleranceMs } : {}),
    },
    verify: async (d) => {
      let timestamp: number | undefined
      if (signingKeys) {
        const signed = await verifyStandardWebhooks({
          payload: d.bytes,
          id: d.header('webhook-id'),
          timestamp: d.header('webhook-timestamp'),
          signature: d.header('webhook-signature'),
          secret: signingKeys,
          secretFormat: 'raw',
          now: d.now,
          toleranceMs,
          provider: 'gitlab',
        })
        if (!signed.ok) return signed
        timestamp = signed.timestamp
      }
      if (tokens) {
        const token = await verifySharedToken({
          // RFC 9110 field values exclude surrounding spaces and tabs (optional whitespace).
          token: d.header('x-gitlab-token')?.replace(/^[ \t]+|[ \t]+$/g, ''),
          secret: tokens,
          source: 'the X-Gitlab-Token header',
          provider: 'gitlab',
        })
        if (!token.ok) return token
      }
      // A shared token proves who sent the request, not what it says: there is no signed material.
      return timestamp === undefined ? { ok: true, replayMaterial: null } : { ok: true, timestamp }
    },
    // Never the unsigned `Idempotency-Key` when `webhook-id` is signed.
    id: (d) =>
      signingKeys ? d.header('webhook-id') : (d.header('idempotency-key') ?? d.header('x-gitlab-event-uuid')),
    type: (d) => d.header('x-gitlab-event'),
  })
}
