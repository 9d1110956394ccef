import { configInvariant } from '../errors.js'

/** Longest id stored as itself; longer ones are stored by their SHA-256. */
export const MAX_PLAIN_KEY_LENGTH = 200

const HASHED_PREFIX = 'sha256:'
// A lone surrogate has no UTF-8 form: drivers replace it with U+FFFD, so two different ids
// would meet in one row. Such ids are hashed from their JSON form, which escapes them.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * The form a dedupe key is stored under. Ordinary keys are stored as themselves. A key that is
 * longer than {@link MAX_PLAIN_KEY_LENGTH}, holds a NUL (PostgreSQL `text` refuses it) or a lone
 * surrogate, or already starts with `sha256:` is stored as `sha256:` + the hex SHA-256 of its
 * JSON form, so a plain id can never collide with a hashed one.
 */
export async function storageKey(key: string): Promise<string> {
  if (
    key.length <= MAX_PLAIN_KEY_LENGTH &&
    !key.includes('\0') &&
    !key.startsWith(HASHED_PREFIX) &&
    !LONE_SURROGATE.test(key)
  ) {
    return key
  }
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(key)))
  let hex = ''
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0')
  return HASHED_PREFIX + hex
}

/**
 * The stored forms of one claim's keys, in order, without repeats. Refuses anything but a
 * non-empty array of strings: a store handed a plain string was written for the one-key contract.
 */
export async function storageKeys(store: string, keys: readonly string[]): Promise<string[]> {
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'string')) {
    throw new TypeError(`[webhook-inbox] ${store}: keys must be a non-empty array of strings.`)
  }
  return [...new Set(await Promise.all(keys.map(storageKey)))]
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/

/**
 * Checks a table name (optionally `schema.table`) against an identifier pattern, so it can be
 * put into SQL text; returns its parts.
 */
export function tableName(store: string, value: unknown, allowSchema: boolean): { schema?: string; table: string } {
  const parts = typeof value === 'string' ? value.split('.') : []
  configInvariant(
    parts.length >= 1 && parts.length <= (allowSchema ? 2 : 1) && parts.every((part) => IDENTIFIER.test(part)),
    `${store}: \`table\` must be ${allowSchema ? 'a table name or `schema.table`, each part' : 'a table name'} made of letters, digits and underscores, starting with a letter or underscore, at most 48 characters.`,
  )
  const [first, second] = parts as [string, string | undefined]
  return second === undefined ? { table: first } : { schema: first, table: second }
}

/** The positive-integer check every store uses for durations and batch sizes. */
export function positiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}

/** A fresh claim token. */
export function newToken(): string {
  return globalThis.crypto.randomUUID()
}

/** A client that emits `'error'` events (node-redis, ioredis, a pg `Pool`): only its listener count is read. */
export interface ErrorEventSource {
  listenerCount(event: 'error'): number
}

/**
 * Warns once, right after the store is set up (in a microtask, so a listener added on the next
 * line counts), when `client` has no `'error'` listener: node-redis and a pg `Pool` emit
 * `'error'` when their connection drops, and Node ends the process on an `'error'` event that
 * nobody listens to, instead of the handler answering 503 while the store is down.
 */
export function warnWithoutErrorListener(
  store: string,
  client: ErrorEventSource | undefined,
  add: string,
  onWarning: ((message: string) => void) | undefined,
): void {
  if (client === undefined) return
  configInvariant(
    typeof client?.listenerCount === 'function',
    `${store}: \`client\` is your client object (it is only asked whether it has an 'error' listener).`,
  )
  queueMicrotask(() => {
    if (client.listenerCount('error') > 0) return
    const message = `[webhook-inbox] ${store}: the client has no 'error' listener. When its connection drops it emits 'error', and with no listener Node ends the process instead of the webhook handler answering 503 until the store is back. Add one: ${add}.`
    ;(onWarning ?? console.warn)(message)
  })
}
