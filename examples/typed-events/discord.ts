import { createEventRouter } from 'webhook-inbox'
import type { DiscordEvents } from 'webhook-inbox/events'
import { discord } from 'webhook-inbox/providers'

// Family F, Ed25519: interactions by their numeric type ('2' a command), webhook events by name.
export const provider = discord<DiscordEvents>({ publicKey: process.env.DISCORD_PUBLIC_KEY as string })
export const commands: string[] = []

export const router = createEventRouter<DiscordEvents>({ unrouted: 'ignore' })
  .on('2', (event) => {
    const user = event.payload.member?.user ?? event.payload.user
    commands.push(`/${event.payload.data.name} by ${user?.username}`)
  })
  .on('ENTITLEMENT_CREATE', (event) => {
    console.log('entitlement', event.payload.event.data.sku_id)
  })
