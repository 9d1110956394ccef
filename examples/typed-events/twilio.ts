import { createEventRouter } from 'webhook-inbox'
import type { TwilioEvents } from 'webhook-inbox/events'
import { twilio } from 'webhook-inbox/providers'

// Family E, the URL is signed (also square, hubspot): form fields, typed by our map.
export const provider = twilio<TwilioEvents>({ secret: process.env.TWILIO_AUTH_TOKEN as string })
export const texts: string[] = []

export const router = createEventRouter<TwilioEvents>({ unrouted: 'ignore' })
  .on('received', (event) => {
    texts.push(`${event.payload.From}: ${event.payload.Body}`) // an incoming SMS
  })
  .on('undelivered', (event) => {
    console.warn(`message ${event.payload.MessageSid} undelivered, error ${event.payload.ErrorCode}`)
  })
