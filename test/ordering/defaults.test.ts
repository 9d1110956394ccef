import { describe, expect, it } from 'vitest'
import { createEventRouter, createWebhookHandler, type WebhookEvent } from '../../src/index.js'
import { createOrderingGuard, isoVersion, memoryOrderingStore, ORDERING_DEFAULTS } from '../../src/ordering/index.js'
import { shopify } from '../../src/providers/index.js'
import { signShopifyRequest } from '../../src/testing/index.js'

function rule(provider: string) {
  const found = ORDERING_DEFAULTS[provider]
  if (!found) throw new Error(`no default for ${provider}`)
  return (payload: unknown, headers: Record<string, string> = {}) => {
    const event: WebhookEvent = { provider, id: 'x', type: 't', payload, body: '', headers, receivedAt: '' }
    return { resource: found.resource(event), version: found.version(event) }
  }
}

describe('ORDERING_DEFAULTS (only from the signed payload)', () => {
  it('stripe: data.object.id and created', () => {
    expect(rule('stripe')({ created: 1700000000, data: { object: { id: 'in_1' } } })).toEqual({
      resource: 'in_1',
      version: 1700000000,
    })
    expect(rule('stripe')({ created: '1700000000', data: { object: { id: 'in_1' } } }).version).toBeUndefined()
  })

  it('github: the most specific object with an id and updated_at; never the X-GitHub-Event header', () => {
    const issue = { id: 11, updated_at: '2026-01-01T00:00:01Z' }
    expect(rule('github')({ action: 'edited', issue }, { 'x-github-event': 'pull_request' })).toEqual({
      resource: 'issue:11',
      version: Date.parse('2026-01-01T00:00:01Z'),
    })
    const comment = { id: 99, updated_at: '2026-01-01T00:00:05Z' }
    expect(rule('github')({ action: 'created', issue, comment }).resource).toBe('comment:99')
    expect(rule('github')({ pull_request: { id: 5, updated_at: '2026-01-02T00:00:00Z' } }).resource).toBe(
      'pull_request:5',
    )
    expect(rule('github')({ ref: 'refs/heads/main', commits: [] })).toEqual({ resource: undefined, version: undefined })
  })

  it('shopify: the body admin_graphql_api_id (else id) and updated_at, never X-Shopify-Triggered-At', () => {
    const order = {
      id: 820982911946154500,
      admin_graphql_api_id: 'gid://shopify/Order/820982911946154508',
      updated_at: '2026-03-01T10:00:00-05:00',
    }
    expect(rule('shopify')(order, { 'x-shopify-triggered-at': '2099-01-01T00:00:00Z' })).toEqual({
      resource: 'gid://shopify/Order/820982911946154508',
      version: Date.parse('2026-03-01T15:00:00Z'),
    })
    expect(rule('shopify')({ id: 7, updated_at: '2026-03-01T10:00:00Z' }).resource).toBe('7')
  })

  it('paddle keeps microseconds; linear, lemon-squeezy, paypal, clerk', () => {
    const paddle = rule('paddle')
    const a = paddle({ occurred_at: '2024-04-12T10:18:49.621021Z', data: { id: 'sub_1' } })
    const b = paddle({ occurred_at: '2024-04-12T10:18:49.621022Z', data: { id: 'sub_1' } })
    expect(a.resource).toBe('sub_1')
    expect(b.version).toBeGreaterThan(a.version as number)
    expect(rule('linear')({ type: 'Issue', data: { id: 'i1', updatedAt: '2026-01-01T00:00:00.000Z' } })).toEqual({
      resource: 'Issue:i1',
      version: Date.parse('2026-01-01T00:00:00.000Z'),
    })
    expect(
      rule('lemon-squeezy')({
        data: { type: 'subscriptions', id: '1', attributes: { updated_at: '2026-01-01T00:00:00.000000Z' } },
      }).resource,
    ).toBe('subscriptions:1')
    expect(rule('paypal')({ resource: { id: 'PAY-1', update_time: '2026-01-01T00:00:00Z' } }).resource).toBe('PAY-1')
    expect(rule('clerk')({ data: { id: 'user_1', updated_at: 1767225600000 } })).toEqual({
      resource: 'user_1',
      version: 1767225600000,
    })
  })

  it('isoVersion reads only full ISO 8601 times', () => {
    expect(isoVersion('2026-01-01T00:00:00Z')).toBe(Date.parse('2026-01-01T00:00:00Z'))
    expect(isoVersion('2026-01-01T00:00:00.5Z')).toBe(Date.parse('2026-01-01T00:00:00.500Z'))
    for (const bad of [
      '2026-01-01',
      'Thu, 01 Jan 2026 00:00:00 GMT',
      '1767225600',
      1767225600,
      null,
      '2026-13-01T00:00:00Z',
    ]) {
      expect(isoVersion(bad)).toBeUndefined()
    }
  })

  it('end to end: an older Shopify update is stale even when its unsigned Triggered-At header says it is newer', async () => {
    const secret = 'shpss_ordering'
    const queue: WebhookEvent[] = []
    const handler = createWebhookHandler({
      provider: shopify({ secret }),
      enqueue: (e) => void queue.push(e),
      onWarning: () => {},
    })
    const order = (updated_at: string, note: string) => ({
      id: 1,
      admin_graphql_api_id: 'gid://shopify/Order/1',
      updated_at,
      note,
    })
    const newer = await signShopifyRequest({
      secret,
      topic: 'orders/updated',
      body: order('2026-03-01T10:00:02Z', 'newer'),
    })
    const older = await signShopifyRequest({
      secret,
      topic: 'orders/updated',
      body: order('2026-03-01T10:00:01Z', 'older'),
    })
    ;(newer.headers as Record<string, string>)['x-shopify-triggered-at'] = '2026-03-01T10:00:00Z'
    ;(older.headers as Record<string, string>)['x-shopify-triggered-at'] = '2099-01-01T00:00:00Z'
    expect((await handler.handle(newer)).status).toBe(200)
    expect((await handler.handle(older)).status).toBe(200)

    const applied: string[] = []
    const router = createEventRouter({
      unrouted: 'fail',
      ordering: createOrderingGuard({ store: memoryOrderingStore(), stale: 'skip' }),
    }).on('orders/updated', (event) => void applied.push((event.payload as { note: string }).note))
    for (const event of queue) await router.handle(event)
    expect(applied).toEqual(['newer'])
  })
})
