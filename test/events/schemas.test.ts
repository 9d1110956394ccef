import { createServer } from 'node:http'
import type Stripe from 'stripe'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { toNodeListener } from '../../src/adapters/node.js'
import {
  createWebhookHandler,
  type RejectedInfo,
  WebhookConfigError,
  type WebhookEvent,
  WebhookPayloadError,
  withSchemas,
} from '../../src/index.js'
import { github, stripe } from '../../src/providers/index.js'
import { signGitHubRequest, signStripeRequest } from '../../src/testing/index.js'
import { listen } from '../adapters/listen.js'

const SECRET = 'whsec_schemas'
const invoicePaid = z.looseObject({
  type: z.literal('invoice.paid'),
  data: z.looseObject({ object: z.looseObject({ id: z.string(), amount_paid: z.number().int().nonnegative() }) }),
})

function setup(schemas: Parameters<typeof withSchemas<Stripe.Event>>[1]) {
  const queued: WebhookEvent<Stripe.Event>[] = []
  const rejected: RejectedInfo[] = []
  const handler = createWebhookHandler({
    provider: withSchemas(stripe<Stripe.Event>({ secret: SECRET }), schemas),
    enqueue: (event) => void queued.push(event),
    onRejected: (info) => void rejected.push(info),
    onWarning: () => {},
  })
  return { handler, queued, rejected }
}

function pathsOf(rejected: RejectedInfo[], index: number): readonly string[] {
  const error = rejected[index]?.error
  if (!(error instanceof WebhookPayloadError)) throw new Error(`rejection ${index} is not a WebhookPayloadError`)
  return error.paths
}

function invoice(amount: unknown, type = 'invoice.paid') {
  return {
    id: `evt_${Math.random()}`,
    object: 'event',
    type,
    created: 1,
    data: { object: { id: 'in_1', amount_paid: amount } },
  }
}

describe('withSchemas (Standard Schema validation after the signature)', () => {
  it('zod over real HTTP: a payload that fails its schema answers 400 with the paths, never the values', async () => {
    const { handler, queued, rejected } = setup({ 'invoice.paid': invoicePaid })
    const server = await listen(createServer(toNodeListener(handler)))
    try {
      const send = async (body: object) => {
        const signed = await signStripeRequest({ secret: SECRET, body, url: `${server.url}/` })
        return fetch(`${server.url}/`, {
          method: 'POST',
          headers: signed.headers as Record<string, string>,
          body: signed.body as string,
        })
      }
      const bad = await send(invoice('TWELVE-HUNDRED-secretvalue'))
      expect(bad.status).toBe(400)
      const text = await bad.text()
      expect(JSON.parse(text).error.code).toBe('invalid_payload')
      expect(text).toContain('data.object.amount_paid')
      expect(text).not.toContain('secretvalue')
      expect(queued).toHaveLength(0)
      expect(rejected).toHaveLength(1)
      const error = rejected[0]?.error
      expect(error).toBeInstanceOf(WebhookPayloadError)
      expect((error as WebhookPayloadError).paths).toEqual(['data.object.amount_paid'])
      expect(error?.message).not.toContain('secretvalue')

      expect((await send(invoice(1200))).status).toBe(200)
      expect(queued).toHaveLength(1)
    } finally {
      await server.close()
    }
  })

  it('valibot: the schema of the type, else "*", and types without either pass unchanged', async () => {
    const { handler, queued, rejected } = setup({
      'customer.created': v.looseObject({
        data: v.looseObject({ object: v.looseObject({ email: v.pipe(v.string(), v.email()) }) }),
      }),
      '*': v.looseObject({ id: v.pipe(v.string(), v.startsWith('evt_')) }),
    })
    const sign = (body: object) => signStripeRequest({ secret: SECRET, body })
    const customer = (email: string) => ({
      id: 'evt_c',
      type: 'customer.created',
      created: 1,
      data: { object: { id: 'cus_1', email } },
    })
    expect((await handler.handle(await sign(customer('not-an-email')))).status).toBe(400)
    expect(pathsOf(rejected, 0)).toEqual(['data.object.email'])
    expect((await handler.handle(await sign(customer('a@example.com')))).status).toBe(200)
    // No schema of its own: '*' applies.
    expect(
      (await handler.handle(await sign({ id: 'bad', type: 'charge.succeeded', created: 1, data: { object: {} } })))
        .status,
    ).toBe(400)
    expect(pathsOf(rejected, 1)).toEqual(['id'])
    expect(
      (await handler.handle(await sign({ id: 'evt_ok', type: 'charge.succeeded', created: 1, data: { object: {} } })))
        .status,
    ).toBe(200)
    expect(queued.map((e) => e.type)).toEqual(['customer.created', 'charge.succeeded'])
  })

  it("the schema's output becomes the payload; the raw body is untouched", async () => {
    const { handler, queued } = setup({
      'invoice.paid': z.object({
        type: z.string(),
        data: z.object({ object: z.object({ amount_paid: z.coerce.number() }) }),
      }),
    })
    const body = invoice('1200')
    expect((await handler.handle(await signStripeRequest({ secret: SECRET, body }))).status).toBe(200)
    expect(queued[0]?.payload).toEqual({ type: 'invoice.paid', data: { object: { amount_paid: 1200 } } })
    expect(JSON.parse(queued[0]?.body ?? '')).toEqual(body)
  })

  it('a bad signature is still a 401 before any schema runs; at most 10 paths are reported', async () => {
    let calls = 0
    const counting = z.looseObject({}).superRefine(() => {
      calls++
    })
    const { handler } = setup({ '*': counting })
    const forged = await signStripeRequest({ secret: 'whsec_other', body: invoice(1) })
    expect((await handler.handle(forged)).status).toBe(401)
    expect(calls).toBe(0)

    const many = setup({
      '*': z.object(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, z.string()]))),
    })
    expect((await many.handler.handle(await signStripeRequest({ secret: SECRET, body: invoice(1) }))).status).toBe(400)
    expect(pathsOf(many.rejected, 0)).toHaveLength(10)
  })

  it('checks the body against the unsigned GitHub event name', async () => {
    const rejected: RejectedInfo[] = []
    const handler = createWebhookHandler({
      provider: withSchemas(github({ secret: 'gh' }), {
        push: z.looseObject({ ref: z.string(), commits: z.array(z.unknown()) }),
      }),
      enqueue: () => {},
      onRejected: (info) => void rejected.push(info),
      onWarning: () => {},
    })
    // A signed issues body relabelled as a push by whoever controls the unsigned header.
    const relabelled = await signGitHubRequest({
      secret: 'gh',
      event: 'push',
      body: { action: 'opened', issue: { number: 1 } },
    })
    expect((await handler.handle(relabelled)).status).toBe(400)
    expect([...pathsOf(rejected, 0)].sort()).toEqual(['commits', 'ref'])
  })

  it('as the handler option `schemas`: the same check over real HTTP, and handler.provider is the checked one', async () => {
    const queued: WebhookEvent<Stripe.Event>[] = []
    const rejected: RejectedInfo[] = []
    const handler = createWebhookHandler({
      provider: stripe<Stripe.Event>({ secret: SECRET }),
      schemas: { 'invoice.paid': invoicePaid, '*': v.looseObject({ id: v.pipe(v.string(), v.startsWith('evt_')) }) },
      enqueue: (event) => void queued.push(event),
      onRejected: (info) => void rejected.push(info),
      onWarning: () => {},
    })
    const server = await listen(createServer(toNodeListener(handler)))
    try {
      const send = async (body: object) => {
        const signed = await signStripeRequest({ secret: SECRET, body, url: `${server.url}/` })
        return fetch(`${server.url}/`, {
          method: 'POST',
          headers: signed.headers as Record<string, string>,
          body: signed.body as string,
        })
      }
      const bad = await send(invoice('TWELVE-secretvalue'))
      expect(bad.status).toBe(400)
      const text = await bad.text()
      expect(JSON.parse(text).error.code).toBe('invalid_payload')
      expect(text).not.toContain('secretvalue')
      expect(pathsOf(rejected, 0)).toEqual(['data.object.amount_paid'])
      const other = await send({ id: 'nope', type: 'charge.succeeded', created: 1, data: { object: {} } })
      expect(other.status).toBe(400)
      expect(pathsOf(rejected, 1)).toEqual(['id'])
      expect((await send(invoice(1200))).status).toBe(200)
      expect(queued.map((event) => event.type)).toEqual(['invoice.paid'])
    } finally {
      await server.close()
    }
    // The wrapped provider is what the handler exposes (inbox.verify and friends use it).
    const again = await handler.provider.verify(await signStripeRequest({ secret: SECRET, body: invoice('x') }), {
      now: Date.now(),
    })
    expect(again.ok).toBe(false)
    expect(() =>
      createWebhookHandler({
        provider: stripe({ secret: SECRET }),
        schemas: { 'invoice.paid': {} as never },
        enqueue: () => {},
      }),
    ).toThrow(/not a Standard Schema/)
    // Without a provider, the handler's own message, not withSchemas'.
    expect(() => createWebhookHandler({ schemas: {}, enqueue: () => {} } as never)).toThrow(/`provider` is required/)
  })

  it('setup mistakes throw WebhookConfigError', () => {
    expect(() => withSchemas(stripe({ secret: SECRET }), { 'invoice.paid': {} as never })).toThrow(WebhookConfigError)
    expect(() => withSchemas({} as never, {})).toThrow(WebhookConfigError)
  })
})
