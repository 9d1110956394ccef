import { concatBytes, fromBase64, toBase64, toBase64Url, toHex, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import type { CryptoBackend, HashAlgorithm } from '../crypto/types.js'
import { configInvariant, type WebhookErrorCode, WebhookVerificationError } from '../errors.js'

/** A secret as text (used as its UTF-8 bytes) or as bytes. */
export type Secret = string | Uint8Array
/**
 * One secret or several (rotation): a signature made with any of them is accepted. Entries may
 * be `undefined` (or `''`), as `process.env.NAME` is when the variable is not set: in a list
 * they are dropped, so `[process.env.CURRENT, process.env.PREVIOUS]` works with PREVIOUS unset;
 * a `WebhookConfigError` is thrown only when no secret is left.
 */
export type Secrets = Secret | undefined | readonly (Secret | undefined)[]

/** HMAC hash names in the spelling providers document. */
export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512'
/** How a signature is written in its header. */
export type SignatureEncoding = 'hex' | 'base64' | 'base64url'

/** What every scheme returns: ok, or a typed verification error. Never thrown for network input. */
export type SchemeResult<Extra extends object = object> =
  | ({ ok: true } & Extra)
  | { ok: false; error: WebhookVerificationError }

export const HASHES: Record<HmacAlgorithm, HashAlgorithm> = { sha1: 'SHA-1', sha256: 'SHA-256', sha512: 'SHA-512' }
/** Bytes of an HMAC under each algorithm: a decoded signature of another length is malformed. */
export const HASH_LENGTH: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 }

export function fail(
  code: WebhookErrorCode,
  message: string,
  provider?: string,
): { ok: false; error: WebhookVerificationError } {
  return { ok: false, error: new WebhookVerificationError(code, message, { provider }) }
}

/**
 * Normalises a secret option to a non-empty list of keys. Setup mistakes (no secret, an empty
 * one, an empty list) throw `WebhookConfigError` with what to fix.
 */
/**
 * The entries of a one-or-several option, with unset environment variables (`undefined`, or
 * `''` from `NAME=`) dropped from a list; a single value is kept as given, so that an empty
 * one can be reported. `undefined` alone gives no entry.
 */
export function presentEntries(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value.filter((item) => item !== undefined && item !== '')
  return value === undefined ? [] : [value]
}

export function secretList(secret: Secrets | undefined, provider?: string, option = 'secret'): Uint8Array[] {
  // What secretList returned at setup comes back on every verification: taken as it is.
  if (typeof secret === 'object' && validated.has(secret as object)) return secret as Uint8Array[]
  // A verifier called directly gets the same secret string on every call (from the environment):
  // its keys are made once, not encoded and remembered again per call (a WeakSet insert alone
  // was about 0.4 µs).
  if (typeof secret === 'string') {
    const known = fromString.get(secret)
    if (known) return known
  }
  const list = presentEntries(secret)
  configInvariant(
    list.length > 0,
    Array.isArray(secret) && secret.length > 0
      ? `every entry of \`${option}\` is unset (undefined or ''). Check that the environment variables holding the signing secret from the provider's dashboard are set.`
      : `\`${option}\` is missing. Pass the signing secret from the provider's dashboard (a string, or a list while you rotate it), usually from an environment variable that is not set here.`,
    provider,
  )
  const keys = list.map((item, index) => {
    configInvariant(
      (typeof item === 'string' || item instanceof Uint8Array) && item.length > 0,
      `\`${option}\`${list.length > 1 ? `[${index}]` : ''} is empty or not a string. Check that the environment variable holding it is set.`,
      provider,
    )
    return typeof item === 'string' ? utf8(item) : item
  })
  validated.add(keys)
  if (typeof secret === 'string') {
    if (fromString.size >= MAX_REMEMBERED_SECRETS) fromString.clear()
    fromString.set(secret, keys)
  }
  return keys
}

// Key lists made by secretList. Only its own lists are trusted: a caller's array could change.
const validated = new WeakSet<object>()
// The key lists of the last few single-string secrets (one per provider a process verifies
// directly; a process with more starts over rather than growing).
const MAX_REMEMBERED_SECRETS = 16
const fromString = new Map<string, Uint8Array[]>()

/**
 * Decodes a signature written in its canonical form only: lower-case hex, standard base64 with
 * its padding (`base64`), or unpadded base64url (`base64url`). The official SDKs compare the
 * encoded strings, so `ABCD…` for `abcd…`, a missing `=` or a `-` for `+` fails there and fails
 * here.
 */
export function decodeSignature(text: string, encoding: SignatureEncoding): Uint8Array | undefined {
  if (text.length === 0) return undefined
  // The canonical form checked on the text itself rather than by encoding the decoded bytes
  // again: fromBase64 already refuses bad lengths, excess padding and non-zero trailing bits, so
  // what is left is the alphabet, and padding present (base64) or absent (base64url).
  if (encoding === 'hex') return fromLowerHex(text)
  if (encoding === 'base64') return text.length % 4 === 0 && CANONICAL_BASE64.test(text) ? fromBase64(text) : undefined
  return CANONICAL_BASE64URL.test(text) ? fromBase64(text) : undefined
}

// Lower-case hex digits to their values, -1 for every other code unit below 128.
const LOWER_HEX = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) LOWER_HEX['0123456789abcdef'.charCodeAt(i)] = i

// Canonical hex decoded and checked in one pass (a pattern test and then a decode read it twice).
function fromLowerHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0) return undefined
  const out = new Uint8Array(text.length >> 1)
  for (let i = 0; i < out.length; i++) {
    const high = text.charCodeAt(2 * i)
    const low = text.charCodeAt(2 * i + 1)
    const hi = high < 128 ? (LOWER_HEX[high] as number) : -1
    const lo = low < 128 ? (LOWER_HEX[low] as number) : -1
    if ((hi | lo) < 0) return undefined
    out[i] = (hi << 4) | lo
  }
  return out
}

const CANONICAL_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const CANONICAL_BASE64URL = /^[A-Za-z0-9_-]+$/

export function encodeSignature(bytes: Uint8Array, encoding: SignatureEncoding): string {
  return encoding === 'hex' ? toHex(bytes) : encoding === 'base64' ? toBase64(bytes) : toBase64Url(bytes)
}

/**
 * The index of the first of `keys` under which the HMAC of `message` (after `prefix`, when
 * given) equals any of `candidates`, compared in constant time; -1 when none does. Every key
 * and every candidate is tried, so the time does not depend on which secret matched. A number,
 * not a promise, where the back end hashes synchronously (`node:crypto`): awaiting one costs a
 * turn of the microtask queue per delivery.
 */
export function matchingKeyIndex(
  algorithm: HmacAlgorithm,
  keys: readonly Uint8Array[],
  message: Uint8Array,
  candidates: readonly Uint8Array[],
  prefix?: Uint8Array,
): number | Promise<number> {
  const crypto = getCrypto()
  const hash = HASHES[algorithm]
  const { hmacSync } = crypto
  // Web Crypto takes one buffer: the prefix and the message are copied together once.
  if (!hmacSync)
    return matchingKeyIndexAsync(crypto, hash, keys, prefix ? concatBytes(prefix, message) : message, candidates)
  let index = -1
  for (let i = 0; i < keys.length; i++) {
    const expected = hmacSync.call(crypto, hash, keys[i] as Uint8Array, message, prefix)
    for (const candidate of candidates) {
      if (crypto.timingSafeEqual(expected, candidate) && index < 0) index = i
    }
  }
  return index
}

async function matchingKeyIndexAsync(
  crypto: CryptoBackend,
  hash: HashAlgorithm,
  keys: readonly Uint8Array[],
  whole: Uint8Array,
  candidates: readonly Uint8Array[],
): Promise<number> {
  let index = -1
  for (let i = 0; i < keys.length; i++) {
    const expected = await crypto.hmac(hash, keys[i] as Uint8Array, whole)
    for (const candidate of candidates) {
      if (crypto.timingSafeEqual(expected, candidate) && index < 0) index = i
    }
  }
  return index
}

/**
 * True when an HMAC of `message` (after `prefix`, when given) under any of `keys` equals any of
 * `candidates` ({@link matchingKeyIndex}): a boolean where the back end hashes synchronously.
 */
export function hmacMatches(
  algorithm: HmacAlgorithm,
  keys: readonly Uint8Array[],
  message: Uint8Array,
  candidates: readonly Uint8Array[],
  prefix?: Uint8Array,
): boolean | Promise<boolean> {
  const index = matchingKeyIndex(algorithm, keys, message, candidates, prefix)
  return typeof index === 'number' ? index >= 0 : index.then((found) => found >= 0)
}

// The parts a scheme's `signedMaterial` is joined from, on the result it reported.
const SIGNED_PARTS = Symbol('webhook-inbox.signed-parts')

class SignedParts {
  joined: Uint8Array | undefined = undefined
  constructor(
    readonly prefix: Uint8Array,
    readonly body: Uint8Array,
  ) {}
  // A result printed with console.log or util.inspect shows neither the signed bytes nor the
  // payload they hold (the slot is enumerable: defining it otherwise cost more than it saves).
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[signed parts]'
  }
}

// One getter for every result, reading the parts from the result it is called on: a getter
// written in the result's object literal is a new closure per verification, and V8 then builds a
// new accessor for each (about 0.9 µs a result, against 0.2 µs for this).
function joinedSignedMaterial(this: { [SIGNED_PARTS]: SignedParts }): Uint8Array {
  const parts = this[SIGNED_PARTS]
  parts.joined ??= concatBytes(parts.prefix, parts.body)
  return parts.joined
}

const SIGNED_MATERIAL: PropertyDescriptor = { get: joinedSignedMaterial, enumerable: true, configurable: true }

/**
 * `result` with `signedMaterial`: `prefix` followed by `body` as one buffer, copied together on
 * the first read only. Schemes hash the two one after the other, and most deliveries never read
 * the joined bytes. `signedMaterial` is an own, enumerable accessor, so a copy of the result
 * (`{ ...result }`) reads it as before.
 */
export function withJoinedSignedMaterial<R extends object>(
  result: R,
  prefix: Uint8Array,
  body: Uint8Array,
): R & { readonly signedMaterial: Uint8Array } {
  // Assigned rather than defined: a descriptor per result cost more than the getter saves.
  ;(result as { [SIGNED_PARTS]?: SignedParts })[SIGNED_PARTS] = new SignedParts(prefix, body)
  return Object.defineProperty(result, 'signedMaterial', SIGNED_MATERIAL) as R & { readonly signedMaterial: Uint8Array }
}

/**
 * Most signature entries one header may carry. Providers send one per active secret (two while
 * a secret rotates); an unsigned request with hundreds would otherwise cost one public-key check
 * each (Standard Webhooks `v1a`) before anything is known about its sender.
 */
export const MAX_SIGNATURE_ENTRIES = 8

/** The refusal for a header with more than {@link MAX_SIGNATURE_ENTRIES} entries. */
export function tooManySignatures(header: string, provider?: string): { ok: false; error: WebhookVerificationError } {
  return fail(
    'malformed_signature',
    `${header} carries more than ${MAX_SIGNATURE_ENTRIES} signatures; a provider sends one per active secret.`,
    provider,
  )
}

/** Options every timestamped scheme takes. */
export interface ToleranceOptions {
  /**
   * How far the signed timestamp may be from `now`, in either direction. `Infinity` turns the
   * check off (not recommended: it is the replay guard).
   */
  toleranceMs?: number
}

/** Checks a signed timestamp (epoch ms) against `now` in both directions. */
export function checkTimestamp(
  timestampMs: number,
  now: number,
  toleranceMs: number,
  provider?: string,
): { ok: false; error: WebhookVerificationError } | undefined {
  if (!Number.isFinite(timestampMs))
    return fail('malformed_timestamp', 'the signed timestamp is not a number.', provider)
  if (now - timestampMs > toleranceMs) {
    return fail(
      'timestamp_too_old',
      `the signed timestamp is more than ${toleranceMs} ms old: a replay, or a delivery that waited too long (check the server clock, or raise toleranceMs).`,
      provider,
    )
  }
  if (timestampMs - now > toleranceMs) {
    return fail(
      'timestamp_in_future',
      `the signed timestamp is more than ${toleranceMs} ms in the future: check this server's clock.`,
      provider,
    )
  }
  return undefined
}

export function checkTolerance(toleranceMs: number | undefined, fallback: number, provider?: string): number {
  const value = toleranceMs ?? fallback
  configInvariant(
    typeof value === 'number' && value >= 0 && !Number.isNaN(value),
    '`toleranceMs` must be a number of milliseconds ≥ 0 (or Infinity to turn the replay check off).',
    provider,
  )
  return value
}

/**
 * `JSON.parse` for a body read before its signature is checked: text nested deeper than
 * `maxDepth` throws a `SyntaxError` without being parsed. A megabyte of `[[[[…` costs JSON.parse
 * about 20 times a normal body of that size; the scan that refuses it is one linear pass.
 */
export function parseUnverifiedJson(text: string, maxDepth = 32): unknown {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 0x22) {
      // Skip the string, escapes included.
      for (i++; i < text.length; i++) {
        const inner = text.charCodeAt(i)
        if (inner === 0x5c) i++
        else if (inner === 0x22) break
      }
    } else if (code === 0x5b || code === 0x7b) {
      if (++depth > maxDepth) throw new SyntaxError(`JSON nested deeper than ${maxDepth}`)
    } else if (code === 0x5d || code === 0x7d) depth--
  }
  return JSON.parse(text)
}

/** Parses an all-digits integer; anything else is `undefined`. */
export function parseInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,16}$/.test(text.trim())) return undefined
  return Number(text.trim())
}

/** The two usual causes of a signature that does not match, in every `invalid_signature` message. */
export const RAW_BODY_HINT =
  "Two usual causes: the secret is not the one this endpoint is signed with (check the provider's dashboard for this endpoint, and pass every secret while you rotate), or the body is not the raw bytes received (a body re-serialised from parsed JSON never matches; see the README section for your framework)."
