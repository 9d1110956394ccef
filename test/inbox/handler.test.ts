import { describe, expect, it } from 'vitest'
import {
  createInboxWorker,
  createWebhookHandler,
  type Inbox,
  isWebhookError,
  memoryInbox,
  memoryStore,
} from '../../src/index.js'
import { stripe } from '../../src/providers/index.js'
import { postgresInbox } from '../../src/stores/postgres.js'
import { signStripeRequest } from '../../src/testing/index.js'

const secret = 'whsec_inbox_handler'
const provider = () => stripe({ secret })
const signed = (id: string) => signStripeRequest({ secret, body: { id, object: 'event', type: 'invoice.paid' } })

function configError(make: () => unknown): string {
  try {
    make()
  } catch (error) {
    if (isWebhookError(error) && error.code === 'invalid_config') return error.message
    throw error
  }
  throw new Error('expected a WebhookConfigError')
}

describe('createWebhookHandler({ inbox })', () => {
  it('refuses inbox together with store or enqueue, saying which to remove', () => {
    const inbox = memoryInbox()
    expect(configError(() => createWebhookHandler({ provider: provider(), inbox, store: memoryStore() }))).toMatch(
      /either `inbox` or `store` \+ `enqueue`.*remove `store`/,
    )
    expect(configError(() => createWebhookHandler({ provider: provider(), inbox, enqueue: () => {} }))).toMatch(
      /remove `enqueue`/,
    )
    expect(
      configError(() => createWebhookHandler({ provider: provider(), inbox, store: memoryStore(), enqueue: () => {} })),
    ).toMatch(/remove `store` and `enqueue`/)
    expect(configError(() => createWebhookHandler({ provider: provider() }))).toMatch(/`enqueue` is required.*inbox/)
  })

  it('answers 200 only once accept resolved, then 200 duplicate; the row keeps no credential header', async () => {
    const inbox = memoryInbox()
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const slow: Inbox = {
      ...inbox,
      accept: async (keys, delivery) => {
        await gate
        return inbox.accept(keys, delivery)
      },
    }
    const handler = createWebhookHandler({ provider: provider(), inbox: slow, onWarning: () => {} })
    const request = await signed('evt_h1')
    request.headers = { ...(request.headers as Record<string, string>), authorization: 'Bearer secret', cookie: 'a=b' }
    let answered = false
    const pending = handler.handle(request).then((response) => {
      answered = true
      return response
    })
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(answered).toBe(false)
    release()
    expect((await pending).status).toBe(200)
    const again = await handler.handle(request)
    expect([again.status, JSON.parse(again.body).duplicate]).toEqual([200, true])
    const row = await inbox.get('stripe:evt_h1')
    // The row keeps the signature header for inbox.verify(); the event (what process gets) does not.
    expect(Object.keys(row?.headers ?? {}).sort()).toEqual(['content-type', 'stripe-signature', 'user-agent'])
    expect(Object.keys(row?.event.headers ?? {}).sort()).toEqual(['content-type', 'user-agent'])
    expect((await inbox.verify('stripe:evt_h1', provider())).ok).toBe(true)
    expect(handler.inbox).toBe(slow)
    expect(handler.store).toBe(undefined)
  })

  it('a failing or silent inbox answers 503 and the provider retries', async () => {
    const errors: string[] = []
    const broken: Inbox = {
      ...memoryInbox(),
      accept: async () => {
        throw new Error('connection refused')
      },
    }
    const silent: Inbox = { ...memoryInbox(), accept: () => new Promise(() => {}) }
    const down = createWebhookHandler({
      provider: provider(),
      inbox: broken,
      onError: ({ phase, error }) => errors.push(`${phase}:${(error as { code: string }).code}`),
    })
    const response = await down.handle(await signed('evt_h2'))
    expect([response.status, JSON.parse(response.body).error.code]).toEqual([503, 'store_unavailable'])
    expect(JSON.parse(response.body).error.message).not.toMatch(/connection refused/)
    const hung = createWebhookHandler({ provider: provider(), inbox: silent, storeTimeoutMs: 50 })
    const late = await hung.handle(await signed('evt_h3'))
    expect([late.status, JSON.parse(late.body).error.code]).toEqual([503, 'store_timeout'])
    expect(errors).toEqual(['accept:store_unavailable'])
  })

  it('transactional: true without a transaction is a config error that says what to pass', () => {
    const inbox = postgresInbox({ query: async () => ({ rows: [] }) })
    expect(configError(() => createInboxWorker({ inbox, transactional: true, process: () => {} }))).toMatch(
      /pass `transaction` to postgresInbox.*pgPoolTransaction/,
    )
    expect(configError(() => createInboxWorker({ inbox: memoryInbox(), process: () => {}, concurrency: 0 }))).toMatch(
      /concurrency/,
    )
  })
})
