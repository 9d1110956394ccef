// Internal helpers for the challenge handshakes of family A/J presets (Meta, Dropbox, Microsoft Graph).
import type { WebhookResponse } from '../types.js'
import type { DeliveryContext } from './define.js'

/** A query parameter of the request URL (decoded), or `undefined`. Relative URLs are accepted. */
export function queryParam(d: DeliveryContext, name: string): string | undefined {
  try {
    return new URL(d.url, 'http://localhost').searchParams.get(name) ?? undefined
  } catch {
    return undefined
  }
}

/** 200 `text/plain` echo of a challenge. `nosniff` keeps a browser from reading the echo as HTML. */
export function plainText(body: string): WebhookResponse {
  return { status: 200, headers: { 'content-type': 'text/plain', 'x-content-type-options': 'nosniff' }, body }
}
