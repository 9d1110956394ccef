import { configInvariant, WebhookVerificationError } from '../errors.js'
import type { Provider, VerifyResult, WebhookEvent, WebhookEventFields } from '../types.js'
import type { StandardSchemaV1 } from './standard-schema.js'

type EventType<T> = WebhookEvent<T> extends WebhookEventFields<unknown, infer K> ? K : string

/** One Standard Schema per event type; `'*'` checks every type that has none of its own. */
export type PayloadSchemas<T> = { readonly [K in EventType<T> | '*']?: StandardSchemaV1 }

const MAX_PATHS = 10
const MAX_PATH_LENGTH = 120

/**
 * The signature was good but the payload does not match the schema for its type. `paths` says
 * where (`data.object.amount_paid`); the values are never included.
 *
 * @example
 * import { createWebhookHandler, WebhookPayloadError, withSchemas } from 'webhook-inbox'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * const handler = createWebhookHandler({
 *   provider: withSchemas(stripe({ secret }), schemas),
 *   enqueue,
 *   onRejected: ({ error }) => {
 *     if (error instanceof WebhookPayloadError) console.warn('payload off schema at', error.paths)
 *   },
 * })
 */
export class WebhookPayloadError extends WebhookVerificationError {
  /** Where the payload failed its schema, at most 10 paths, each at most 120 characters. */
  readonly paths: readonly string[]

  constructor(paths: readonly string[], provider: string) {
    super(
      'invalid_payload',
      `the signature is valid but the payload does not match the schema of its event type at ${paths.join(', ')}; check the schema against what the provider sends.`,
      { provider },
    )
    this.name = 'WebhookPayloadError'
    this.paths = paths
  }
}

function pathOf(issue: StandardSchemaV1.Issue): string {
  const segments = (issue.path ?? []).map((segment) =>
    String(typeof segment === 'object' && segment !== null ? segment.key : segment),
  )
  const path = segments.length === 0 ? '(root)' : segments.join('.')
  return path.length > MAX_PATH_LENGTH ? `${path.slice(0, MAX_PATH_LENGTH - 1)}…` : path
}

/**
 * Validates each accepted payload against the Standard Schema (zod, valibot, arktype, ...) of
 * its event type, after the signature check. A payload that fails answers 400 with the failing
 * paths (never the values) and reaches `onRejected` as a {@link WebhookPayloadError}; the
 * schema's output becomes `event.payload` (so a schema that strips unknown keys strips them
 * from the event; the raw body stays in `event.body`). Types without a schema, and handshakes,
 * pass unchanged.
 *
 * The schemas are the runtime check of what the type map only promises. They matter most where
 * the event type comes from an unsigned header (GitHub `X-GitHub-Event`, Shopify
 * `X-Shopify-Topic`): the schema then checks that the signed body has the shape of that type.
 *
 * @example
 * import type Stripe from 'stripe'
 * import { z } from 'zod'
 * import { withSchemas } from 'webhook-inbox'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * const provider = withSchemas(stripe<Stripe.Event>({ secret }), {
 *   'invoice.paid': z.looseObject({ data: z.looseObject({ object: z.looseObject({ amount_paid: z.number() }) }) }),
 * })
 */
export function withSchemas<T>(provider: Provider<T>, schemas: PayloadSchemas<T>): Provider<T> {
  configInvariant(
    provider !== null && typeof provider === 'object' && typeof provider.verify === 'function',
    'withSchemas: the first argument must be a provider preset, e.g. withSchemas(stripe({ secret }), schemas).',
  )
  configInvariant(
    schemas !== null && typeof schemas === 'object',
    'withSchemas: `schemas` must be an object of event type → Standard Schema.',
    provider.name,
  )
  const table = new Map<string, StandardSchemaV1>()
  for (const [type, schema] of Object.entries(schemas as Record<string, StandardSchemaV1 | undefined>)) {
    if (schema === undefined) continue
    configInvariant(
      typeof schema?.['~standard']?.validate === 'function',
      `withSchemas: the schema for '${type}' is not a Standard Schema (zod 3.24+, valibot 1, arktype 2 implement it).`,
      provider.name,
    )
    table.set(type, schema)
  }
  return {
    ...provider,
    async verify(request, options): Promise<VerifyResult<T>> {
      const result = await provider.verify(request, options)
      if (!result.ok || result.handshake) return result
      const schema = table.get(result.type) ?? table.get('*')
      if (!schema) return result
      const checked = await schema['~standard'].validate(result.payload)
      if (checked.issues) {
        const paths = [...new Set(checked.issues.map(pathOf))].slice(0, MAX_PATHS)
        return { ok: false, error: new WebhookPayloadError(paths, provider.name) }
      }
      return { ...result, payload: checked.value as T }
    },
  }
}
