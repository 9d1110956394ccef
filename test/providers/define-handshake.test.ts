// A preset's handshake may answer synchronously, with a promise, or with another thenable;
// verify() awaits it only when it is one, and every form gives the same result.
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { defineProvider } from '../../src/providers/index.js'
import type { WebhookResponse } from '../../src/types.js'
import { verifyHmac } from '../../src/verifiers/index.js'

const SECRET = 'define-handshake-secret'
const PONG: WebhookResponse = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'pong' }

function acme(handshake: (payload: unknown) => WebhookResponse | undefined | PromiseLike<WebhookResponse | undefined>) {
  return defineProvider<{ kind?: string; id?: string }>({
    name: 'acme',
    verify: (d) => verifyHmac({ payload: d.bytes, signature: d.header('x-acme-signature'), secret: SECRET }),
    id: (_d, payload) => payload.id,
    idSigned: true,
    handshake: (_d, payload) =>
      handshake(payload) as WebhookResponse | undefined | Promise<WebhookResponse | undefined>,
  })
}

function request(body: string) {
  const signature = createHmac('sha256', SECRET).update(body).digest('hex')
  return { method: 'POST', url: 'https://example.test/acme', headers: { 'x-acme-signature': signature }, body }
}

const ping = (payload: unknown) => ((payload as { kind?: string }).kind === 'ping' ? PONG : undefined)

describe('defineProvider handshake', () => {
  const forms = {
    synchronous: ping,
    promise: async (payload: unknown) => ping(payload),
    thenable: (payload: unknown): PromiseLike<WebhookResponse | undefined> => ({
      // biome-ignore lint/suspicious/noThenProperty: a hand-made thenable is the point of this case
      then: (resolve) => Promise.resolve(ping(payload)).then(resolve),
    }),
  }
  for (const [name, handshake] of Object.entries(forms)) {
    it(`answers the handshake and passes other events on (${name})`, async () => {
      const provider = acme(handshake)
      const answered = await provider.verify(request('{"kind":"ping"}'), { now: Date.now() })
      expect(answered).toMatchObject({ ok: true, handshake: PONG })
      const event = await provider.verify(request('{"kind":"order","id":"o-1"}'), { now: Date.now() })
      expect(event).toMatchObject({ ok: true, id: 'o-1' })
      expect(event.ok && event.handshake).toBeFalsy()
    })
  }
})
