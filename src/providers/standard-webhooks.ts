import { configInvariant } from '../errors.js'
import type { Provider, StatusRange } from '../types.js'
import { checkTolerance, type Secrets } from '../verifiers/shared.js'
import {
  type StandardWebhooksSecretFormat,
  standardWebhooksKeys,
  standardWebhooksPublicKeys,
  verifyStandardWebhooks,
} from '../verifiers/standard-webhooks.js'
import { type DeliveryContext, defineProvider, HOUR, MINUTE, pick, RETRIES_ANY_ERROR, SECOND } from './define.js'

/** Options of {@link standardWebhooks}. */
export interface StandardWebhooksProviderOptions {
  /** Endpoint secret(s), `whsec_…` (base64-decoded), for `v1` signatures. */
  secret?: Secrets
  /** How string secrets become keys. @default 'base64' */
  secretFormat?: StandardWebhooksSecretFormat
  /** Ed25519 public key(s), `whpk_…`, for `v1a` signatures. */
  publicKey?: Secrets
  /** Either direction. @default 300000 (5 minutes, as the reference libraries) */
  toleranceMs?: number
  /** Preset name (dedupe key prefix). @default 'standard-webhooks' */
  name?: string
}

/** Reads `webhook-*` headers, falling back to `svix-*` (Svix, Clerk and Resend send those). */
function header(d: DeliveryContext, suffix: 'id' | 'timestamp' | 'signature'): string | undefined {
  return d.header(`webhook-${suffix}`) ?? d.header(`svix-${suffix}`)
}

/** What differs between the presets built on Standard Webhooks (Svix, Clerk, Resend, Polar); internal to the presets. */
export interface StandardWebhooksPresetDefaults {
  name: string
  title: string
  headerPrefix: 'webhook' | 'svix'
  secretFormat: StandardWebhooksSecretFormat
  retryWindowMs?: number
  responseDeadlineMs?: number
  /** Where the preset's facts come from, for the README table. */
  scheme?: string
  retriedStatuses: readonly StatusRange[]
  /** Which answers the provider retries, for the README table. */
  retries: string
}

/**
 * Builds a Standard Webhooks preset; shared by {@link standardWebhooks}, `svix`, `clerk`, `resend` and `polar`.
 *
 * @example
 * import { standardWebhooks } from 'webhook-inbox/providers' // the public face of this builder
 * const provider = standardWebhooks({ secret: process.env.WEBHOOK_SECRET, name: 'acme' })
 */
export function standardWebhooksPreset<T>(
  options: StandardWebhooksProviderOptions,
  defaults: StandardWebhooksPresetDefaults,
): Provider<T> {
  const name = options?.name ?? defaults.name
  configInvariant(
    options?.secret !== undefined || options?.publicKey !== undefined,
    '`secret` is missing: pass the endpoint signing secret (`whsec_…`), or `publicKey` for Ed25519 endpoints.',
    name,
  )
  const secret =
    options.secret === undefined
      ? undefined
      : standardWebhooksKeys(options.secret, options.secretFormat ?? defaults.secretFormat, name)
  const publicKey = options.publicKey === undefined ? undefined : standardWebhooksPublicKeys(options.publicKey, name)
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, name)
  const prefix = defaults.headerPrefix
  return defineProvider<T>({
    name,
    retryWindowMs: defaults.retryWindowMs,
    responseDeadlineMs: defaults.responseDeadlineMs,
    retriedStatuses: defaults.retriedStatuses,
    info: {
      title: defaults.title,
      retries: defaults.retries,
      scheme: defaults.scheme ?? 'HMAC-SHA256 base64 (`v1`) or Ed25519 (`v1a`) of `id.timestamp.body`',
      headers: [`${prefix}-id`, `${prefix}-timestamp`, `${prefix}-signature`],
      id: `\`${prefix}-id\` header (signed)`,
      type: 'body `type`',
      typeSigned: true,
      toleranceMs,
    },
    signatureHeaders: ['webhook-signature', 'svix-signature'],
    // `webhook-id` is part of the signed string, used exactly as verified.
    idSigned: true,
    verify: (d) =>
      verifyStandardWebhooks({
        payload: d.bytes,
        id: header(d, 'id'),
        timestamp: header(d, 'timestamp'),
        signature: header(d, 'signature'),
        secret,
        secretFormat: 'raw',
        publicKey,
        now: d.now,
        toleranceMs,
        provider: name,
      }),
    id: (d) => header(d, 'id'),
    type: (_d, payload) => pick(payload, 'type'),
  })
}

/**
 * Standard Webhooks (standardwebhooks.com) v1.0.0: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature` (`v1,<base64>` HMAC-SHA256 and `v1a,<base64>` Ed25519 over
 * `id.timestamp.body`). The id is `webhook-id`, the same on every retry; the type is the body's
 * `type`. The spec's example schedule retries for about 3 days, with a 15–30 s timeout.
 * `svix-*` headers are read too.
 *
 * @example
 * import { standardWebhooks } from 'webhook-inbox/providers'
 * const provider = standardWebhooks({ secret: process.env.WEBHOOK_SECRET })
 */
export function standardWebhooks<T = unknown>(options: StandardWebhooksProviderOptions): Provider<T> {
  return standardWebhooksPreset<T>(options, {
    name: 'standard-webhooks',
    retriedStatuses: RETRIES_ANY_ERROR,
    retries: 'any non-2xx, about 3 days (the example schedule of the spec)',
    title: 'Standard Webhooks',
    headerPrefix: 'webhook',
    secretFormat: 'base64',
    retryWindowMs: 76 * HOUR,
    responseDeadlineMs: 15 * SECOND,
  })
}
