import type { Provider } from '../types.js'
import { fail, type Secrets, secretList } from '../verifiers/shared.js'
import { twilioUrlFacts, verifyTwilio } from '../verifiers/url-hmac.js'
import {
  contextForm,
  contextJson,
  type DeliveryContext,
  defineProvider,
  MAX_UNVERIFIED_FORM_FIELDS,
  parseForm,
  pick,
  RETRIES_NONE,
  SECOND,
  tooManyFormFields,
} from './define.js'

/** Options of {@link twilio}. */
export interface TwilioOptions {
  /**
   * The account Auth Token(s), and/or the SharedKey secret(s) for webhooks signed with a
   * SharedKey (those carry `X-Twilio-Webhooks-Signature-Settings`). Several while you rotate.
   */
  secret: Secrets
}

function isForm(d: DeliveryContext): boolean {
  return (d.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
}

function queryParams(url: string): Record<string, string | string[]> {
  try {
    return parseForm(new URL(url).search.slice(1))
  } catch {
    return {}
  }
}

const EMPTY_TWIML = {
  status: 200,
  headers: { 'content-type': 'text/xml; charset=utf-8', 'cache-control': 'no-store' },
  body: '<?xml version="1.0" encoding="UTF-8"?><Response/>',
}

/**
 * Twilio (Voice, Messaging, Studio, ...): `X-Twilio-Signature`, base64 HMAC-SHA1 keyed with the
 * Auth Token over the public URL followed by the sorted form fields; HMAC-SHA256 with a SharedKey
 * when `X-Twilio-Webhooks-Signature-Settings` says so. JSON bodies are signed through the URL's
 * `bodySHA256` parameter, which must match the body. GET webhooks sign the URL alone. The URL
 * is tried with and without the default port, as twilio-node does (twilio-node also drops a
 * non-default port, which would accept a signature made for another port of the same host; that
 * is not done here). Source: twilio.com "Webhooks security"; twilio-node lib/webhooks/webhooks.ts.
 *
 * The id is `I-Twilio-Idempotency-Token` (Twilio says it is the same on its retries; we have not
 * observed one), else
 * the SHA-256 of the signed URL and fields. Twilio does not retry unless a `#rc=` connection
 * override asks it to, and waits 15 s (connection overrides doc).
 *
 * The signature covers the URL Twilio called: behind a proxy, give the adapter `publicUrl`.
 * Form and GET webhooks are answered with an empty TwiML `<Response/>` (`text/xml`), which
 * acknowledges an incoming message or call without replying; to reply, set the handler's
 * `acceptedResponse`.
 *
 * @example
 * import { twilio } from 'webhook-inbox/providers'
 * const provider = twilio({ secret: process.env.TWILIO_AUTH_TOKEN })
 */
export function twilio<T = unknown>(options: TwilioOptions): Provider<T> {
  const keys = secretList(options?.secret, 'twilio')
  return defineProvider<T>({
    name: 'twilio',
    signatureHeaders: ['x-twilio-signature'],
    retriedStatuses: RETRIES_NONE,
    methods: ['POST', 'GET'],
    responseDeadlineMs: 15 * SECOND,
    info: {
      title: 'Twilio',
      retries: 'none by default (`#rc=` connection overrides retry timeouts and connection failures)',
      scheme:
        'HMAC-SHA1 (Auth Token) or HMAC-SHA256 (SharedKey) base64 of URL + sorted form fields; JSON via `bodySHA256`',
      headers: ['X-Twilio-Signature', 'X-Twilio-Webhooks-Signature-Settings'],
      id: '`I-Twilio-Idempotency-Token` header, else SHA-256 of the signed URL and fields',
      type: 'signed fields `EventType` / `MessageStatus` / `SmsStatus` / `CallStatus` / `type`',
      typeSigned: true,
    },
    verify: async (d) => {
      const form = d.method !== 'GET' && isForm(d)
      // Only form fields and `bodySHA256` bind the body to the signature; any other body would
      // be unsigned, so it is refused rather than passed on (twilio-node validateIncomingRequest).
      // That includes a GET body: Twilio signs a GET's URL alone and sends no body.
      // The same URL facts verifyTwilio reads next: the URL is parsed once for both.
      if (!form && twilioUrlFacts(d.url).bodyHash === undefined && d.bytes.length > 0) {
        return fail(
          'invalid_signature',
          'the body is neither form fields nor covered by a `bodySHA256` URL parameter, so the signature does not cover it.',
          'twilio',
        )
      }
      if (form && tooManyFormFields(d.text())) {
        return fail(
          'malformed_signature',
          `the form has more than ${MAX_UNVERIFIED_FORM_FIELDS} fields; Twilio sends a few dozen.`,
          'twilio',
        )
      }
      return verifyTwilio({
        url: d.url,
        signature: d.header('x-twilio-signature'),
        signatureSettings: d.header('x-twilio-webhooks-signature-settings'),
        secret: keys,
        params: form ? contextForm(d) : undefined,
        payload: d.bytes,
        provider: 'twilio',
      })
    },
    body: (d) => {
      if (d.method === 'GET') return queryParams(d.url)
      if (isForm(d)) return contextForm(d)
      return contextJson(d)
    },
    // Incoming SMS and voice webhooks must be answered with TwiML (text/xml): a JSON body is an
    // error 12300 in the Twilio debugger, and a call gets "an application error has occurred".
    // An empty <Response/> acknowledges without replying (Twilio, "Receive SMS and MMS Messages
    // without Responding"); status callbacks ignore the body, so it suits every form webhook.
    acceptedResponse: (d) => (d.method === 'GET' || isForm(d) ? EMPTY_TWIML : undefined),
    id: (d) => d.header('i-twilio-idempotency-token'),
    type: (_d, payload) =>
      pick(payload, 'EventType') ??
      pick(payload, 'MessageStatus') ??
      pick(payload, 'SmsStatus') ??
      pick(payload, 'CallStatus') ??
      pick(payload, 'type'),
  })
}
