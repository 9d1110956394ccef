// Family E: HMAC over the public URL (Twilio, Square, HubSpot).
import { createHash, createHmac } from 'node:crypto'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { createWebhookHandler } from '../../src/index.js'
import { hubspot, square, twilio } from '../../src/providers/index.js'
import { signHubSpotRequest, signSquareRequest, signTwilioRequest } from '../../src/testing/index.js'
import type { WebhookRequest } from '../../src/types.js'
import { NOW, testVerifier } from './verifier-suite.js'

const require = createRequire(import.meta.url)

const TWILIO_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2'
const TWILIO_PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
}

function form(params: Record<string, string | string[]>): string {
  const out = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) for (const item of [value].flat()) out.append(key, item)
  return out.toString()
}

function twilioRequest(
  url: string,
  signature: string,
  body = form(TWILIO_PARAMS),
  contentType = 'application/x-www-form-urlencoded',
): WebhookRequest {
  return { method: 'POST', url, headers: { 'x-twilio-signature': signature, 'content-type': contentType }, body }
}

// Independent reference signer (node:crypto), written from Twilio's documented algorithm.
function referenceTwilio(token: string, url: string, params: Record<string, string>, algorithm = 'sha1'): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url)
  return createHmac(algorithm, token).update(data).digest('base64')
}

testVerifier({
  name: 'twilio (JSON body through bodySHA256)',
  secrets: ['12345', '67890'],
  create: (secrets) => twilio({ secret: secrets }),
  sign: ({ secret, body }) => signTwilioRequest({ secret, body, url: TWILIO_URL, idempotencyToken: 'idem-suite' }),
  signatureHeaders: ['x-twilio-signature'],
  expectedId: 'idem-suite',
  expectedType: 'suite.event',
})

testVerifier({
  name: 'twilio (form fields, SharedKey HMAC-SHA256)',
  secrets: ['shared-key-secret-1', 'shared-key-secret-2'],
  create: (secrets) => twilio({ secret: secrets }),
  sign: ({ secret, body }) =>
    signTwilioRequest({
      secret,
      params: { Body: body, MessageSid: 'SM1', MessageStatus: 'received' },
      url: TWILIO_URL,
      algorithm: 'sha256',
      idempotencyToken: 'idem-form',
    }),
  signatureHeaders: ['x-twilio-signature', 'x-twilio-webhooks-signature-settings'],
  expectedId: 'idem-form',
  expectedType: 'received',
})

describe('twilio known answers (twilio-php RequestValidatorTest, recomputed with node:crypto)', () => {
  const provider = twilio({ secret: '12345' })

  it('accepts the documented form-post vector and refuses it with one field changed', async () => {
    expect(referenceTwilio('12345', TWILIO_URL, TWILIO_PARAMS)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=')
    const result = await provider.verify(twilioRequest(TWILIO_URL, 'RSOYDt4T1cUTdK1PDd93/VVr8B8='), { now: NOW })
    expect(result).toMatchObject({ ok: true, payload: { CallSid: 'CA1234567890ABCDE', Digits: '1234' } })
    const changed = await provider.verify(
      twilioRequest(TWILIO_URL, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', form({ ...TWILIO_PARAMS, Digits: '1235' })),
      { now: NOW },
    )
    expect(changed).toMatchObject({ ok: false, error: { code: 'invalid_signature' } })
  })

  it('accepts the repeated-field vector (values de-duplicated and sorted)', async () => {
    const body = 'Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234'
    const result = await provider.verify(twilioRequest(TWILIO_URL, 'IK+Dwps556ElfBT0I3Rgjkr1wJU=', body), { now: NOW })
    expect(result.ok).toBe(true)
  })

  it('accepts the JSON vector and checks bodySHA256 against the body', async () => {
    const body = '{"property": "value", "boolean": true}'
    const hash = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620'
    expect(createHash('sha256').update(body).digest('hex')).toBe(hash)
    const url = `${TWILIO_URL}&bodySHA256=${hash}`
    const ok = await provider.verify(twilioRequest(url, 'a9nBmqA0ju/hNViExpshrM61xv4=', body, 'application/json'), {
      now: NOW,
    })
    expect(ok).toMatchObject({ ok: true, payload: { property: 'value', boolean: true } })
    const tampered = await provider.verify(
      twilioRequest(url, 'a9nBmqA0ju/hNViExpshrM61xv4=', body.replace('value', 'valuf'), 'application/json'),
      { now: NOW },
    )
    expect(tampered).toMatchObject({ ok: false, error: { code: 'invalid_signature' } })
  })

  it('tries the URL with and without the default port, never an invented one', async () => {
    const https443 = 'https://mycompany.com:443/myapp.php?foo=1&bar=2'
    const http80 = 'http://mycompany.com:80/myapp.php?foo=1&bar=2'
    const http1234 = 'http://mycompany.com:1234/myapp.php?foo=1&bar=2'
    expect(referenceTwilio('12345', https443, TWILIO_PARAMS)).toBe('kvajT1Ptam85bY51eRf/AJRuM3w=')
    expect(referenceTwilio('12345', http80, TWILIO_PARAMS)).toBe('0ZXoZLH/DfblKGATFgpif+LLRf4=')
    expect(referenceTwilio('12345', http1234, TWILIO_PARAMS)).toBe('Zmvh+3yNM1Phv2jhDCwEM3q5ebU=')
    const cases: [received: string, signature: string, accepted: boolean][] = [
      [TWILIO_URL, 'kvajT1Ptam85bY51eRf/AJRuM3w=', true],
      [https443, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', true],
      ['http://mycompany.com/myapp.php?foo=1&bar=2', '0ZXoZLH/DfblKGATFgpif+LLRf4=', true],
      [http1234, 'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=', true],
      ['http://mycompany.com/myapp.php?foo=1&bar=2', 'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=', false],
      // A signature for the default port is not one for another port of the same host.
      [http1234, referenceTwilio('12345', 'http://mycompany.com/myapp.php?foo=1&bar=2', TWILIO_PARAMS), false],
      ['https://mycompany.com:8443/myapp.php?foo=1&bar=2', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', false],
    ]
    for (const [url, signature, expected] of cases) {
      expect((await provider.verify(twilioRequest(url, signature), { now: NOW })).ok, url).toBe(expected)
    }
  })

  it('judges each request by its own URL when URLs alternate (what is derived from the last URL is reused only for the same string)', async () => {
    const other = 'https://mycompany.com/other.php?foo=1&bar=2'
    const dotted = 'https://mycompany.com/x/../myapp.php?foo=1&bar=2'
    const forUrl = referenceTwilio('12345', TWILIO_URL, TWILIO_PARAMS)
    const forOther = referenceTwilio('12345', other, TWILIO_PARAMS)
    const cases: [url: string, signature: string, outcome: true | string][] = [
      [TWILIO_URL, forUrl, true],
      [other, forUrl, 'invalid_signature'],
      [TWILIO_URL, forOther, 'invalid_signature'],
      [other, forOther, true],
      [dotted, referenceTwilio('12345', dotted, TWILIO_PARAMS), 'url_mismatch'],
      [TWILIO_URL, forUrl, true],
      [TWILIO_URL, forUrl, true],
    ]
    for (const [url, signature, outcome] of cases) {
      const result = await provider.verify(twilioRequest(url, signature), { now: NOW })
      if (outcome === true) expect(result.ok, url).toBe(true)
      else expect(result, url).toMatchObject({ ok: false, error: { code: outcome } })
    }
    // A JSON body is signed through bodySHA256 only on the URL that carries it.
    const body = '{"a":1}'
    const hashed = `https://mycompany.com/myapp.php?bodySHA256=${createHash('sha256').update(body).digest('hex')}`
    const json = (url: string) => twilioRequest(url, referenceTwilio('12345', url, {}), body, 'application/json')
    expect((await provider.verify(json(hashed), { now: NOW })).ok).toBe(true)
    expect(await provider.verify(json('https://mycompany.com/myapp.php'), { now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'invalid_signature' },
    })
    expect((await provider.verify(json(hashed), { now: NOW })).ok).toBe(true)
  })

  it('signs GET webhooks over the URL alone and parses the query as the payload', async () => {
    const url = 'https://example.com/voice?CallSid=CA1&CallStatus=ringing'
    const request: WebhookRequest = {
      method: 'GET',
      url,
      headers: { 'x-twilio-signature': referenceTwilio('12345', url, {}) },
      body: '',
    }
    expect(await provider.verify(request, { now: NOW })).toMatchObject({
      ok: true,
      type: 'ringing',
      payload: { CallSid: 'CA1' },
    })
    const handler = createWebhookHandler({ provider, enqueue: () => {}, onWarning: () => {} })
    expect((await handler.handle(request)).status).toBe(200)
  })

  it('refuses a GET whose body the URL signature does not cover (it would reach event.body unsigned)', async () => {
    const url = 'https://example.com/voice?CallSid=CA1&CallStatus=ringing'
    const signature = referenceTwilio('12345', url, {})
    for (const [body, contentType] of [
      ['{"forged":true}', 'application/json'],
      ['CallStatus=completed', 'application/x-www-form-urlencoded'],
    ]) {
      const request: WebhookRequest = {
        method: 'GET',
        url,
        headers: { 'x-twilio-signature': signature, 'content-type': contentType as string },
        body: body as string,
      }
      expect(await provider.verify(request, { now: NOW }), contentType).toMatchObject({
        ok: false,
        error: { code: 'invalid_signature' },
      })
    }
  })

  it('refuses a body the signature does not cover, and an unknown algorithm', async () => {
    const unsigned = twilioRequest(TWILIO_URL, referenceTwilio('12345', TWILIO_URL, {}), '{"a":1}', 'application/json')
    expect(await provider.verify(unsigned, { now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'invalid_signature' },
    })
    const request = twilioRequest(TWILIO_URL, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')
    const unknown = {
      ...request,
      headers: {
        ...(request.headers as Record<string, string>),
        'x-twilio-webhooks-signature-settings': 'key=k,algorithm=HMAC_MD5',
      },
    }
    expect(await provider.verify(unknown, { now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'malformed_signature' },
    })
  })

  it('gives a stable fallback id without I-Twilio-Idempotency-Token', async () => {
    const first = await provider.verify(twilioRequest(TWILIO_URL, 'RSOYDt4T1cUTdK1PDd93/VVr8B8='), { now: NOW })
    const again = await provider.verify(
      twilioRequest(
        TWILIO_URL,
        'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
        form({
          To: '+18005551212',
          From: '+14158675309',
          Digits: '1234',
          Caller: '+14158675309',
          CallSid: 'CA1234567890ABCDE',
        }),
      ),
      { now: NOW },
    )
    expect(first.ok && again.ok).toBe(true)
    if (first.ok && again.ok) {
      expect(first.id).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(again.id).toBe(first.id)
    }
  })
})

describe('twilio SDK cross-check (twilio 6)', () => {
  const sdk = require('twilio') as {
    validateRequest(token: string, signature: string, url: string, params: object, algorithm?: string): boolean
    validateRequestWithBody(token: string, signature: string, url: string, body: string, algorithm?: string): boolean
    getExpectedTwilioSignature(token: string, url: string, params: object, algorithm?: string): string
  }
  const provider = twilio({ secret: 'sdk-token' })

  it('SDK signs → we accept (form and SharedKey)', async () => {
    for (const algorithm of ['HMAC_SHA1', 'HMAC_SHA256']) {
      const params = { MessageSid: 'SM9', Body: "it's ☕ & more", To: '+15005550006' }
      const signature = sdk.getExpectedTwilioSignature('sdk-token', TWILIO_URL, params, algorithm)
      const request = twilioRequest(TWILIO_URL, signature, form(params))
      const headers = request.headers as Record<string, string>
      if (algorithm === 'HMAC_SHA256') headers['x-twilio-webhooks-signature-settings'] = 'key=ks,algorithm=HMAC_SHA256'
      expect((await provider.verify(request, { now: NOW })).ok, algorithm).toBe(true)
    }
  })

  it('we sign → SDK accepts (form, JSON body)', async () => {
    const params = { MessageSid: 'SM9', Body: 'hello', Tags: ['b', 'a'] }
    const signed = await signTwilioRequest({ secret: 'sdk-token', url: TWILIO_URL, params })
    const header = (signed.headers as Record<string, string>)['x-twilio-signature'] as string
    expect(sdk.validateRequest('sdk-token', header, TWILIO_URL, params)).toBe(true)
    const json = await signTwilioRequest({ secret: 'sdk-token', url: TWILIO_URL, body: { a: 1 } })
    const jsonHeader = (json.headers as Record<string, string>)['x-twilio-signature'] as string
    expect(sdk.validateRequestWithBody('sdk-token', jsonHeader, json.url, json.body as string)).toBe(true)
  })

  it('SDK rejects a forged request → we reject', async () => {
    const signed = await signTwilioRequest({ secret: 'other-token', url: TWILIO_URL, params: TWILIO_PARAMS })
    const header = (signed.headers as Record<string, string>)['x-twilio-signature'] as string
    expect(sdk.validateRequest('sdk-token', header, TWILIO_URL, TWILIO_PARAMS)).toBe(false)
    expect((await provider.verify(signed, { now: NOW })).ok).toBe(false)
  })
})

// --- Square ------------------------------------------------------------------------------------

const SQUARE_URL = 'https://example.com/webhook'

testVerifier({
  name: 'square',
  secrets: ['asdf1234', 'qwer5678'],
  create: (secrets) => square({ secret: secrets, notificationUrl: SQUARE_URL }),
  sign: ({ secret, body }) => signSquareRequest({ secret, body: body.replace('"id"', '"event_id"'), url: SQUARE_URL }),
  signatureHeaders: ['x-square-hmacsha256-signature'],
  expectedId: 'evt_suite_1',
  expectedType: 'suite.event',
})

describe('square', () => {
  const provider = square({ secret: 'asdf1234', notificationUrl: SQUARE_URL })

  it('accepts the documented vector (Square "validate notifications")', async () => {
    expect(createHmac('sha256', 'asdf1234').update(`${SQUARE_URL}{"hello":"world"}`).digest('base64')).toBe(
      '2kRE5qRU2tR+tBGlDwMEw2avJ7QM4ikPYD/PJ3bd9Og=',
    )
    const request: WebhookRequest = {
      method: 'POST',
      url: 'http://internal:3000/hook',
      headers: { 'x-square-hmacsha256-signature': '2kRE5qRU2tR+tBGlDwMEw2avJ7QM4ikPYD/PJ3bd9Og=' },
      body: '{"hello":"world"}',
    }
    expect((await provider.verify(request, { now: NOW })).ok).toBe(true)
    // Without notificationUrl the request URL is signed, so an internal URL does not match.
    const fromRequest = await square({ secret: 'asdf1234' }).verify(request, { now: NOW })
    expect(fromRequest).toMatchObject({ ok: false, error: { code: 'invalid_signature' } })
    expect((await square({ secret: 'asdf1234' }).verify({ ...request, url: SQUARE_URL }, { now: NOW })).ok).toBe(true)
  })

  it('refuses the legacy SHA-1 header alone, as the square SDK does', async () => {
    const body = '{"event_id":"e1"}'
    const legacy = createHmac('sha1', 'asdf1234')
      .update(SQUARE_URL + body)
      .digest('base64')
    const result = await provider.verify(
      { method: 'POST', url: SQUARE_URL, headers: { 'x-square-signature': legacy }, body },
      { now: NOW },
    )
    expect(result).toMatchObject({ ok: false, error: { code: 'missing_signature' } })
  })

  it('refuses a notificationUrl that is not a URL at setup', () => {
    expect(() => square({ secret: 's', notificationUrl: '/webhooks/square' })).toThrow(/notificationUrl/)
  })

  it('SDK cross-check (square WebhooksHelper): both ways, and a forgery', async () => {
    const { WebhooksHelper } = require('square') as {
      WebhooksHelper: {
        verifySignature(o: {
          requestBody: string
          signatureHeader: string
          signatureKey: string
          notificationUrl: string
        }): Promise<boolean>
      }
    }
    const body = '{"event_id":"sq-1","type":"payment.updated","data":{"note":"Zoë"}}'
    const signed = await signSquareRequest({ secret: 'asdf1234', body, url: SQUARE_URL })
    const header = (signed.headers as Record<string, string>)['x-square-hmacsha256-signature'] as string
    expect(
      await WebhooksHelper.verifySignature({
        requestBody: body,
        signatureHeader: header,
        signatureKey: 'asdf1234',
        notificationUrl: SQUARE_URL,
      }),
    ).toBe(true)
    const sdkSignature = createHmac('sha256', 'asdf1234')
      .update(SQUARE_URL + body)
      .digest('base64')
    expect(
      await WebhooksHelper.verifySignature({
        requestBody: body,
        signatureHeader: sdkSignature,
        signatureKey: 'asdf1234',
        notificationUrl: SQUARE_URL,
      }),
    ).toBe(true)
    expect(
      (await provider.verify({ ...signed, headers: { 'x-square-hmacsha256-signature': sdkSignature } }, { now: NOW }))
        .ok,
    ).toBe(true)
    const forged = await signSquareRequest({ secret: 'wrong', body, url: SQUARE_URL })
    const forgedHeader = (forged.headers as Record<string, string>)['x-square-hmacsha256-signature'] as string
    expect(
      await WebhooksHelper.verifySignature({
        requestBody: body,
        signatureHeader: forgedHeader,
        signatureKey: 'asdf1234',
        notificationUrl: SQUARE_URL,
      }),
    ).toBe(false)
    expect((await provider.verify(forged, { now: NOW })).ok).toBe(false)
  })
})

// --- HubSpot -----------------------------------------------------------------------------------

const HUBSPOT_SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy'
const HUBSPOT_URL = 'https://www.example.com/webhook_uri'
const V1_BODY =
  '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]'

testVerifier({
  name: 'hubspot (v3)',
  secrets: [HUBSPOT_SECRET, 'zzzzzzzz-zzzz'],
  create: (secrets) => hubspot({ secret: secrets }),
  sign: ({ secret, body, now }) => signHubSpotRequest({ secret, body, now, url: HUBSPOT_URL }),
  signatureHeaders: ['x-hubspot-signature-v3', 'x-hubspot-request-timestamp'],
  toleranceMs: 300_000,
  expectedType: '',
})

testVerifier({
  name: 'hubspot (v2)',
  secrets: [HUBSPOT_SECRET, 'zzzzzzzz-zzzz'],
  create: (secrets) => hubspot({ secret: secrets }),
  sign: ({ secret, body }) => signHubSpotRequest({ secret, body, url: HUBSPOT_URL, version: 'v2' }),
  signatureHeaders: ['x-hubspot-signature'],
})

describe('hubspot', () => {
  const provider = hubspot({ secret: HUBSPOT_SECRET })
  const v1 = (signature: string, body = V1_BODY, extra: Record<string, string> = {}): WebhookRequest => ({
    method: 'POST',
    url: HUBSPOT_URL,
    headers: { 'x-hubspot-signature': signature, 'x-hubspot-signature-version': 'v1', ...extra },
    body,
  })

  it('accepts the documented v1 and v2 vectors (@hubspot/api-client tests, HubSpot docs)', async () => {
    const v1Hash = '232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de'
    expect(
      createHash('sha256')
        .update(HUBSPOT_SECRET + V1_BODY)
        .digest('hex'),
    ).toBe(v1Hash)
    expect(await provider.verify(v1(v1Hash), { now: NOW })).toMatchObject({ ok: true, type: 'contact.creation' })
    const get: WebhookRequest = {
      method: 'GET',
      url: HUBSPOT_URL,
      headers: {
        'x-hubspot-signature': 'eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e',
        'x-hubspot-signature-version': 'v2',
      },
      body: '',
    }
    // The documented v2 GET vector: a workflow webhook without a body is accepted (payload null),
    // its id derived from the signed method and URL.
    const accepted = await provider.verify(get, { now: NOW })
    expect(accepted).toMatchObject({ ok: true, payload: null })
    if (accepted.ok) expect(accepted.id).toMatch(/^sha256:[0-9a-f]{64}$/)
    const post: WebhookRequest = {
      method: 'POST',
      url: HUBSPOT_URL,
      headers: {
        'x-hubspot-signature': '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900',
        'x-hubspot-signature-version': 'v2',
      },
      body: '{"example_field":"example_value"}',
    }
    expect(await provider.verify(post, { now: NOW })).toMatchObject({
      ok: true,
      payload: { example_field: 'example_value' },
    })
    expect(await provider.verify({ ...post, method: 'PUT' }, { now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'invalid_signature' },
    })
  })

  it('v3 known answer from an independent node:crypto signer, with HubSpot-decoded URI escapes', async () => {
    const url = 'https://example.com/hook?name=a%3Ab&x=%40'
    const body = '[{"eventId":7,"subscriptionType":"deal.creation"}]'
    const ts = String(NOW)
    for (const signedUrl of [url, 'https://example.com/hook?name=a:b&x=@']) {
      const signature = createHmac('sha256', HUBSPOT_SECRET).update(`POST${signedUrl}${body}${ts}`).digest('base64')
      const request: WebhookRequest = {
        method: 'POST',
        url,
        headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': ts },
        body,
      }
      expect(await provider.verify(request, { now: NOW })).toMatchObject({
        ok: true,
        type: 'deal.creation',
        timestamp: NOW,
      })
    }
  })

  it('gives a batch one id that survives attemptNumber changing on retries, and different batches different ids', async () => {
    const batch = (attempt: number, ids: number[]) =>
      JSON.stringify(ids.map((eventId) => ({ eventId, subscriptionType: 'contact.creation', attemptNumber: attempt })))
    const sign = (body: string) =>
      createHash('sha256')
        .update(HUBSPOT_SECRET + body)
        .digest('hex')
    const results = []
    for (const body of [batch(0, [3, 1, 2]), batch(4, [1, 2, 3]), batch(0, [1, 2])]) {
      results.push(await provider.verify(v1(sign(body), body), { now: NOW }))
    }
    const ids = results.map((r) => (r.ok ? r.id : 'refused'))
    expect(ids[0]).toMatch(/^sha256:/)
    expect(ids[1]).toBe(ids[0])
    expect(ids[2]).not.toBe(ids[0])
  })

  it("versions: ['v3'] refuses v1 and v2 signatures", async () => {
    const strict = hubspot({ secret: HUBSPOT_SECRET, versions: ['v3'] })
    const v1Hash = createHash('sha256')
      .update(HUBSPOT_SECRET + V1_BODY)
      .digest('hex')
    expect(await strict.verify(v1(v1Hash), { now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'missing_signature' },
    })
    expect(() => hubspot({ secret: 's', versions: ['v4' as 'v3'] })).toThrow(/versions/)
  })

  it('never falls back to a good v1 signature when the v3 header is present but wrong', async () => {
    const v1Hash = createHash('sha256')
      .update(HUBSPOT_SECRET + V1_BODY)
      .digest('hex')
    expect((await provider.verify(v1(v1Hash), { now: NOW })).ok).toBe(true)
    const withBadV3 = v1(v1Hash, V1_BODY, {
      'x-hubspot-signature-v3': Buffer.alloc(32).toString('base64'),
      'x-hubspot-request-timestamp': String(NOW),
    })
    expect(await provider.verify(withBadV3, { now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'invalid_signature' },
    })
  })

  it('SDK cross-check (@hubspot/api-client Signature.isValid)', async () => {
    const { Signature } = require('@hubspot/api-client') as {
      Signature: {
        isValid(o: Record<string, unknown>): boolean
        getSignature(method: string, version: string, o: Record<string, unknown>): string
      }
    }
    const body = '[{"eventId":42,"subscriptionType":"contact.deletion"}]'
    const now = Date.now()
    // We sign → SDK accepts (v1, v2, v3; the SDK's v3 reads the real clock, so `now` is the real one).
    for (const version of ['v1', 'v2', 'v3'] as const) {
      const signed = await signHubSpotRequest({ secret: HUBSPOT_SECRET, body, url: HUBSPOT_URL, version, now })
      const headers = signed.headers as Record<string, string>
      const signature = headers['x-hubspot-signature-v3'] ?? headers['x-hubspot-signature']
      expect(
        Signature.isValid({
          signatureVersion: version,
          signature,
          clientSecret: HUBSPOT_SECRET,
          requestBody: body,
          url: HUBSPOT_URL,
          method: 'POST',
          timestamp: now,
        }),
        version,
      ).toBe(true)
      // SDK signs → we accept.
      const sdkSignature = Signature.getSignature('POST', version, {
        clientSecret: HUBSPOT_SECRET,
        requestBody: body,
        url: HUBSPOT_URL,
        timestamp: now,
      })
      const request: WebhookRequest =
        version === 'v3'
          ? {
              method: 'POST',
              url: HUBSPOT_URL,
              headers: { 'x-hubspot-signature-v3': sdkSignature, 'x-hubspot-request-timestamp': String(now) },
              body,
            }
          : {
              method: 'POST',
              url: HUBSPOT_URL,
              headers: { 'x-hubspot-signature': sdkSignature, 'x-hubspot-signature-version': version },
              body,
            }
      expect((await provider.verify(request, { now })).ok, version).toBe(true)
    }
    // SDK rejects a forgery → we reject.
    const forged = await signHubSpotRequest({ secret: 'wrong', body, url: HUBSPOT_URL, now })
    const forgedSignature = (forged.headers as Record<string, string>)['x-hubspot-signature-v3']
    expect(
      Signature.isValid({
        signatureVersion: 'v3',
        signature: forgedSignature,
        clientSecret: HUBSPOT_SECRET,
        requestBody: body,
        url: HUBSPOT_URL,
        method: 'POST',
        timestamp: now,
      }),
    ).toBe(false)
    expect((await provider.verify(forged, { now })).ok).toBe(false)
    // The SDK checks only the past side of v3 timestamps; we also refuse one from the future.
    const future = await signHubSpotRequest({ secret: HUBSPOT_SECRET, body, url: HUBSPOT_URL, now: now + 600_000 })
    expect(await provider.verify(future, { now })).toMatchObject({ ok: false, error: { code: 'timestamp_in_future' } })
  })
})
