// Bodies of an exact size for the benchmarks: JSON shaped like a real event (an id, a type and a
// list of small objects, so JSON.parse does realistic work) and Twilio-style form fields.

const encoder = new TextEncoder()

/** The sizes every verification row is measured at. */
export const SIZES = [256, 2_048, 65_536, 1_048_576] as const

/**
 * A JSON object of exactly `size` bytes (ASCII): `{"id":…,"type":…,"n":"000000000","items":[…],"pad":"…"}`.
 * `n` is a fixed-width slot that {@link stampCounter} overwrites, so each delivery can be new
 * without changing the size.
 */
export function jsonBody(size: number, fields: Record<string, string | number> = {}): Uint8Array {
  const head = { id: 'evt_bench_0001', type: 'invoice.paid', ...fields, n: '000000000' }
  const items = fill(size - JSON.stringify({ ...head, items: [], pad: '' }).length, (i) => ({
    id: `li_${i}`,
    amount: 1000 + i,
    currency: 'usd',
    description: `Line item ${i}`,
    meta: { k: 'v' },
  }))
  const without = JSON.stringify({ ...head, items, pad: '' })
  if (without.length > size) throw new Error(`a ${size}-byte JSON body cannot hold the event's fields`)
  return exact(encoder.encode(JSON.stringify({ ...head, items, pad: 'x'.repeat(size - without.length) })), size)
}

/** A JSON array of SendGrid-style events, exactly `size` bytes. */
export function jsonArrayBody(size: number): Uint8Array {
  const event = (i: number) => ({
    email: `user${i}@example.com`,
    timestamp: 1700000000 + i,
    event: 'delivered',
    sg_event_id: `sg_${i}`,
  })
  const tail = { ...event(0), pad: '' }
  const events = fill(size - JSON.stringify([tail]).length - 1, (i) => event(i + 1))
  const without = JSON.stringify([...events, tail])
  return exact(encoder.encode(JSON.stringify([...events, { ...tail, pad: 'x'.repeat(size - without.length) }])), size)
}

/** As many items as fit in `room` bytes of a JSON array's content (each item and its comma). */
function fill(room: number, item: (i: number) => object): object[] {
  const out: object[] = []
  let used = 0
  for (let i = 0; ; i++) {
    const next = item(i)
    const length = JSON.stringify(next).length + (out.length > 0 ? 1 : 0)
    if (used + length > room) return out
    out.push(next)
    used += length
  }
}

function exact(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length !== size) throw new Error(`body of ${bytes.length} bytes instead of ${size}`)
  return bytes
}

/**
 * Twilio-style form fields whose `application/x-www-form-urlencoded` encoding is exactly `size`
 * bytes: at most 40 fields (Twilio sends a few dozen; the preset refuses more than 1,000), and
 * `Body` holds the rest.
 */
export function formFields(size: number): Record<string, string> {
  const fields: Record<string, string> = { MessageSid: 'SM0000000000000000000000000000001', Body: '' }
  let length = new URLSearchParams(fields).toString().length
  for (let i = 0; i < 38; i++) {
    const name = `Field${i}`
    const value = `value-${i}-abcdefghij`
    const added = 1 + name.length + 1 + value.length // URL-safe characters only: encoded as they are
    if (length + added > size - 1) break
    fields[name] = value
    length += added
  }
  fields.Body = 'x'.repeat(size - length)
  const encoded = new URLSearchParams(fields).toString().length
  if (encoded !== size) throw new Error(`form body of ${encoded} bytes instead of ${size}`)
  return fields
}

/** Writes `counter` into the body's `"n":"000000000"` slot, in place. */
export function stampCounter(body: Uint8Array, counter: number, slot = counterSlot(body)): void {
  const digits = String(counter % 1_000_000_000).padStart(9, '0')
  for (let i = 0; i < 9; i++) body[slot + i] = digits.charCodeAt(i)
}

/** Where {@link stampCounter} writes. */
export function counterSlot(body: Uint8Array): number {
  const marker = encoder.encode('"n":"')
  outer: for (let i = 0; i + marker.length + 9 <= body.length; i++) {
    for (let j = 0; j < marker.length; j++) if (body[i + j] !== marker[j]) continue outer
    return i + marker.length
  }
  throw new Error('the body has no "n" counter slot')
}
