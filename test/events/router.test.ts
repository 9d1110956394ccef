import { createServer } from 'node:http'
import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/adapters/node.js'
import type { GitHubEvents } from '../../src/events/github.js'
import type { LinearEvents } from '../../src/events/maps.js'
import {
  createEventRouter,
  createWebhookHandler,
  isWebhookError,
  WebhookConfigError,
  type WebhookEvent,
} from '../../src/index.js'
import { createOrderingGuard, memoryOrderingStore } from '../../src/ordering/index.js'
import { github, stripe } from '../../src/providers/index.js'
import { signGitHubRequest, signStripeRequest } from '../../src/testing/index.js'
import { listen } from '../adapters/listen.js'

function event(type: string, payload: unknown, provider = 'acme'): WebhookEvent {
  return {
    provider,
    id: `evt_${Math.random()}`,
    type,
    payload,
    body: JSON.stringify(payload),
    headers: {},
    receivedAt: new Date(0).toISOString(),
  }
}

describe('createEventRouter', () => {
  it('runs every matching route in the order added: exact, type.action, wildcards, *', async () => {
    const seen: string[] = []
    const router = createEventRouter({ unrouted: 'fail' })
      .on('issues.opened', () => void seen.push('issues.opened'))
      .on('*', () => void seen.push('*'))
      .on('issues', () => void seen.push('issues'))
      .on('issues.*', () => void seen.push('issues.*'))
      .on('issues.closed', () => void seen.push('issues.closed'))
      .on('pull_request', () => void seen.push('pull_request'))
    const outcome = await router.handle(event('issues', { action: 'opened' }))
    expect(seen).toEqual(['issues.opened', '*', 'issues', 'issues.*'])
    expect(outcome).toEqual({ handled: 4, stale: false, unrouted: false })
  })

  it('matches dotted and slashed prefixes, and only whole prefixes', async () => {
    const seen: string[] = []
    const router = createEventRouter({ unrouted: 'ignore' })
      .on('invoice.*', (e) => void seen.push(`invoice.*:${e.type}`))
      .on('customer.subscription.*', (e) => void seen.push(`sub:${e.type}`))
      .on('orders/*', (e) => void seen.push(`orders:${e.type}`))
    for (const type of [
      'invoice.paid',
      'invoiceitem.created',
      'customer.subscription.updated',
      'customer.created',
      'orders/paid',
    ]) {
      await router.handle(event(type, {}))
    }
    expect(seen).toEqual(['invoice.*:invoice.paid', 'sub:customer.subscription.updated', 'orders:orders/paid'])
  })

  it('an unrouted event is an explicit choice: ignore, fail (a typed error), or a function', async () => {
    const ignored = await createEventRouter({ unrouted: 'ignore' })
      .on('a', () => {})
      .handle(event('b', {}))
    expect(ignored).toEqual({ handled: 0, stale: false, unrouted: true })

    const failure = await createEventRouter({ unrouted: 'fail' })
      .handle(event('secret.type', {}))
      .catch((error: unknown) => error)
    expect(isWebhookError(failure) && failure.code).toBe('unrouted_event')
    // The message never echoes the event type (it may come from an unsigned header).
    expect(String((failure as Error).message)).not.toContain('secret.type')

    const decided: string[] = []
    await createEventRouter({ unrouted: (e) => void decided.push(e.type) }).handle(event('c', {}))
    expect(decided).toEqual(['c'])
    await expect(
      createEventRouter({
        unrouted: () => {
          throw new Error('no route')
        },
      }).handle(event('c', {})),
    ).rejects.toThrow('no route')

    expect(() => createEventRouter({} as never)).toThrow(WebhookConfigError)
    expect(() => createEventRouter({ unrouted: 'drop' } as never)).toThrow(/unrouted/)
    expect(() => createEventRouter({ unrouted: 'ignore' }).on('in*voice', () => {})).toThrow(WebhookConfigError)
  })

  it('rejects with the first failing handler and runs no later one', async () => {
    const seen: string[] = []
    const router = createEventRouter({ unrouted: 'ignore' })
      .on('a', () => {
        throw new Error('boom')
      })
      .on('*', () => void seen.push('later'))
    await expect(router.handle(event('a', {}))).rejects.toThrow('boom')
    expect(seen).toEqual([])
  })

  it('takes the action only from a string in the signed payload', async () => {
    const seen: string[] = []
    const router = createEventRouter({ unrouted: 'ignore' }).on('x.opened', () => void seen.push('hit'))
    for (const payload of [
      { action: ['opened'] },
      { action: { toString: () => 'opened' } },
      ['opened'],
      null,
      'opened',
    ]) {
      await router.handle(event('x', payload))
    }
    expect(seen).toEqual([])
    await router.handle(event('x', { action: 'opened' }))
    expect(seen).toEqual(['hit'])
  })

  it('with an ordering guard: marks a stale event, or skips it', async () => {
    const store = memoryOrderingStore()
    const marks: (boolean | undefined)[] = []
    const router = createEventRouter({
      unrouted: 'ignore',
      ordering: createOrderingGuard({ store }),
    }).on('*', (e) => void marks.push(e.stale))
    const at = (created: number) => event('customer.updated', { created, data: { object: { id: 'cus_1' } } }, 'stripe')
    await router.handle(at(20))
    expect(await router.handle(at(10))).toEqual({ handled: 1, stale: true, unrouted: false })
    await router.handle(at(20))
    expect(marks).toEqual([undefined, true, undefined])

    const skipped: number[] = []
    const skipping = createEventRouter({
      unrouted: 'fail',
      ordering: createOrderingGuard({ store, stale: 'skip' }),
    }).on('*', (e) => void skipped.push((e.payload as { created: number }).created))
    expect(await skipping.handle(at(5))).toEqual({ handled: 0, stale: true, unrouted: false })
    await skipping.handle(at(30))
    expect(skipped).toEqual([30])
  })

  it('end to end over HTTP: a signed Stripe delivery, enqueued, then routed with its payload', async () => {
    const queue: WebhookEvent<Stripe.Event>[] = []
    const handler = createWebhookHandler({
      provider: stripe<Stripe.Event>({ secret: 'whsec_router' }),
      enqueue: (e) => void queue.push(JSON.parse(JSON.stringify(e))),
      onWarning: () => {},
    })
    const server = await listen(createServer(toNodeListener(handler)))
    try {
      const body = {
        id: 'evt_1',
        object: 'event',
        type: 'invoice.paid',
        created: 1,
        data: { object: { id: 'in_1', object: 'invoice', amount_paid: 1200 } },
      }
      const signed = await signStripeRequest({ secret: 'whsec_router', body, url: `${server.url}/` })
      const response = await fetch(`${server.url}/`, {
        method: 'POST',
        headers: signed.headers as Record<string, string>,
        body: signed.body as string,
      })
      expect(response.status).toBe(200)
    } finally {
      await server.close()
    }
    const paid: number[] = []
    const router = createEventRouter<Stripe.Event>({ unrouted: 'fail' }).on('invoice.paid', (e) => {
      paid.push(e.payload.data.object.amount_paid)
    })
    expect(queue).toHaveLength(1)
    await router.handle(queue[0] as WebhookEvent<Stripe.Event>)
    expect(paid).toEqual([1200])
  })

  it('GitHub and Linear type.action routes match the signed body action', async () => {
    const handled: string[] = []
    const handler = createWebhookHandler({
      provider: github<GitHubEvents>({ secret: 'gh' }),
      enqueue: (e) =>
        createEventRouter<GitHubEvents>({ unrouted: 'fail' })
          .on('issues.opened', (opened) => void handled.push(`opened:${opened.payload.issue.number}`))
          .on('issues.closed', () => void handled.push('closed'))
          .handle(e),
      onWarning: () => {},
    })
    const request = await signGitHubRequest({
      secret: 'gh',
      event: 'issues',
      body: { action: 'opened', issue: { number: 7 } },
    })
    expect((await handler.handle(request)).status).toBe(200)
    expect(handled).toEqual(['opened:7'])

    const linear: string[] = []
    await createEventRouter<LinearEvents>({ unrouted: 'fail' })
      .on('Issue.update', () => void linear.push('update'))
      .on('Issue.create', (e) => void linear.push(`create:${e.payload.data.identifier}`))
      .handle(event('Issue', { type: 'Issue', action: 'create', data: { identifier: 'ENG-1' } }, 'linear') as never)
    expect(linear).toEqual(['create:ENG-1'])
  })
})
