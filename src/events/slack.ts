/**
 * Slack Events API payload types for `slack<SlackEvents>({ secret })`, built from `@slack/types`
 * (an optional peer dependency, imported for types only). The envelope around each event is
 * ours, written from Slack's "Events API" documentation; `@slack/types` covers the inner events.
 * Slash commands and interactions are not in `@slack/types` and are not mapped here.
 * @module
 */
import type { SlackEvent } from '@slack/types'
import type { EventMap } from '../types.js'

/** The `event_callback` envelope Slack posts around each event (ours, from Slack's documentation). */
export interface SlackEventCallback<E extends SlackEvent = SlackEvent> {
  type: 'event_callback'
  token: string
  team_id: string
  enterprise_id?: string
  api_app_id: string
  event: E
  event_id: string
  event_time: number
  event_context?: string
  is_ext_shared_channel?: boolean
  context_team_id?: string | null
  context_enterprise_id?: string | null
  authorizations?: {
    enterprise_id: string | null
    team_id: string | null
    user_id: string
    is_bot: boolean
    is_enterprise_install?: boolean
  }[]
}

/** Each Slack event type (the preset's `event.type`, from the body's `event.type`) → its envelope. */
export type SlackEventPayloads = { [E in SlackEvent as E['type']]: SlackEventCallback<E> }

/**
 * The Slack Events API map.
 *
 * @example
 * import { createEventRouter } from 'webhook-inbox'
 * import type { SlackEvents } from 'webhook-inbox/events/slack'
 *
 * const router = createEventRouter<SlackEvents>({ unrouted: 'ignore' })
 *   .on('app_mention', (event) => console.log(event.payload.event.text))
 */
export type SlackEvents = EventMap<SlackEventPayloads>
