import { inbox } from '../../../lib/inbox.js'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** What the Node.js routes of this server enqueued, so the example's test can count deliveries. */
export async function GET() {
  return Response.json({
    enqueued: inbox().map(({ provider, id, type, body, bodyEncoding }) => ({ provider, id, type, body, bodyEncoding })),
  })
}
