/**
 * GitHub webhook payload types for `github<GitHubEvents>({ secret })`, built from
 * `@octokit/openapi-webhooks-types` (install it: it is an optional peer dependency, imported
 * for types only; nothing of it is loaded at run time).
 * @module
 */
import type { operations } from '@octokit/openapi-webhooks-types'
import type { EventMap } from '../types.js'

type Underscored<S extends string> = S extends `${infer Head}-${infer Rest}` ? `${Head}_${Underscored<Rest>}` : S

/** `issues/opened` → `issues`; `pull-request/closed` → `pull_request`; `push` → `push`. */
type EventName<K> = K extends `${infer Event}/${string}`
  ? Underscored<Event>
  : K extends string
    ? Underscored<K>
    : never

type Payload<K extends keyof operations> = operations[K] extends {
  requestBody: { content: { 'application/json': infer P } }
}
  ? P
  : never

/**
 * Each GitHub event name (`X-GitHub-Event`, e.g. `issues`, `pull_request`, `push`) → the union
 * of its payloads, one per `action`: narrow with `event.payload.action === 'opened'`, or route
 * `'issues.opened'` with `createEventRouter`.
 */
export type GitHubEventPayloads = { [K in keyof operations as EventName<K>]: Payload<K> }

/**
 * The GitHub event map. The event name comes from the `X-GitHub-Event` header, which the
 * signature does not cover; check the payload with `withSchemas` where that matters.
 *
 * @example
 * import { createWebhookHandler } from 'webhook-inbox'
 * import type { GitHubEvents } from 'webhook-inbox/events/github'
 * import { github } from 'webhook-inbox/providers'
 *
 * createWebhookHandler({
 *   provider: github<GitHubEvents>({ secret: process.env.GITHUB_WEBHOOK_SECRET }),
 *   enqueue: async (event) => {
 *     if (event.type === 'issues' && event.payload.action === 'opened') console.log(event.payload.issue.title)
 *   },
 * })
 */
export type GitHubEvents = EventMap<GitHubEventPayloads>

/** The payload of one GitHub event name, e.g. `GitHubPayload<'push'>`. */
export type GitHubPayload<N extends keyof GitHubEventPayloads> = GitHubEventPayloads[N]
