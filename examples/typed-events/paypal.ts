import { createEventRouter } from 'webhook-inbox'
import type { PayPalEvents } from 'webhook-inbox/events'
import { paypal } from 'webhook-inbox/providers'

// Family H, a certificate signs (also awsSns): our map, keyed by the body's event_type.
export const provider = paypal<PayPalEvents>({ webhookId: process.env.PAYPAL_WEBHOOK_ID as string })
export const captures = new Map<string, string>()

export const router = createEventRouter<PayPalEvents>({ unrouted: 'ignore' }).on(
  'PAYMENT.CAPTURE.COMPLETED',
  (event) => {
    const { id, amount } = event.payload.resource // PayPalCapture
    captures.set(id, `${amount.value} ${amount.currency_code}`)
  },
)
