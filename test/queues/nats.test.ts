import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect as connectNode } from '@nats-io/transport-node'
import { connect as connectLegacy } from 'nats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jetStreamEnqueue } from '../../src/queues/nats.js'
import { testEnqueue } from '../../src/testing/index.js'
import { natsUrl, requireService, tcpProbe } from '../helpers/services.js'
import { delivery, errorMessage, expectedEvent, runId, stripeHandler } from './support.js'

const hasNats = await requireService('NATS', () => tcpProbe(natsUrl()))
const servers = natsUrl().replace(/^nats:\/\//, '')

interface Stored {
  msgId: string
  headers: Record<string, string>
  data: unknown
}

describe.skipIf(!hasNats)('webhook-inbox/nats against real NATS JetStream', () => {
  const run = runId()
  const stream = `WI_TEST_${run}`
  const subject = `wi.test.${run}`
  let nc: Awaited<ReturnType<typeof connectNode>>
  let legacy: Awaited<ReturnType<typeof connectLegacy>>

  async function stored(): Promise<Stored[]> {
    const jsm = await jetstreamManager(nc)
    const info = await jsm.streams.info(stream)
    const out: Stored[] = []
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq })
      if (!message) continue
      const headers: Record<string, string> = {}
      for (const key of message.header.keys()) headers[key] = message.header.get(key)
      out.push({ msgId: headers['Nats-Msg-Id'] ?? '', headers, data: message.json() })
    }
    return out
  }

  beforeAll(async () => {
    nc = await connectNode({ servers })
    legacy = await connectLegacy({ servers })
    const jsm = await jetstreamManager(nc)
    await jsm.streams.add({ name: stream, subjects: [`${subject}.>`], duplicate_window: 120 * 1e9 })
  })
  afterAll(async () => {
    const jsm = await jetstreamManager(nc)
    await jsm.streams.delete(stream).catch(() => {})
    await nc?.close()
    await legacy?.close()
  })

  for (const client of ['@nats-io/jetstream', 'nats'] as const) {
    it(`${client}: passes testEnqueue (stored on the ack, the same msgID once, aborted refused, no stream rejects)`, async () => {
      const js = client === 'nats' ? legacy.jetstream() : jetstream(nc)
      const report = await testEnqueue({
        enqueue: jetStreamEnqueue(js, `${subject}.check`),
        isStored: async (key) => (await stored()).some((m) => m.msgId === key),
        count: async (key) => (await stored()).filter((m) => m.msgId === key).length,
        failing: jetStreamEnqueue(js, `wi.nostream.${run}`, { timeoutMs: 1000 }),
      })
      expect(report.checks).toHaveLength(4)
    })
  }

  it('through the handler: JSON event, msgID the key, routing and trace headers, duplicates dropped by the stream', async () => {
    const enqueue = jetStreamEnqueue(jetstream(nc), (event) => `${subject}.${event.provider}`)
    const first = stripeHandler((event, context) => enqueue(event, { ...context, headers: { traceparent: 'tp' } }))
    const second = stripeHandler(enqueue)
    expect((await first.handler.handle(await delivery('evt_nats_1'))).status).toBe(200)
    expect((await second.handler.handle(await delivery('evt_nats_1'))).status).toBe(200)
    const messages = (await stored()).filter((m) => m.msgId === 'stripe:evt_nats_1')
    expect(messages).toHaveLength(1)
    expect(messages[0]?.headers).toMatchObject({
      traceparent: 'tp',
      'webhook-provider': 'stripe',
      'webhook-id': 'evt_nats_1',
      'webhook-type': 'invoice.paid',
    })
    expect(messages[0]?.data).toMatchObject(expectedEvent('evt_nats_1'))
  })

  it('an id with CR/LF or non-ASCII is percent-encoded in headers and msgID, never splits a header', async () => {
    const { handler, errors } = stripeHandler(jetStreamEnqueue(jetstream(nc), `${subject}.odd`))
    expect((await handler.handle(await delivery('evt_\r\nX-Evil: 1_ü'))).status, errorMessage(errors[0]?.error)).toBe(
      200,
    )
    const odd = (await stored()).filter((m) => m.msgId === encodeURIComponent('stripe:evt_\r\nX-Evil: 1_ü'))
    expect(odd).toHaveLength(1)
    expect(odd[0]?.headers['X-Evil']).toBeUndefined()
    expect(odd[0]?.headers['webhook-id']).toBe(encodeURIComponent('evt_\r\nX-Evil: 1_ü'))
  })
})
