/**
 * Byte encodings without `Buffer`, so they run unchanged on every runtime.
 * Decoders are strict: anything that is not a canonical encoding returns `undefined`,
 * which verifiers report as a malformed signature instead of guessing.
 */

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: false })
// ignoreBOM keeps a leading U+FEFF: WebhookEvent.body must be the received text byte for byte.
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes)
}

/** UTF-8 text, or `undefined` when the bytes are not valid UTF-8. */
export function fromUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes)
  } catch {
    return undefined
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

const HEX = '0123456789abcdef'

export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number
    out += HEX[b >> 4] + (HEX[b & 15] as string)
  }
  return out
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 97 && code <= 102) return code - 87
  if (code >= 65 && code <= 70) return code - 55
  return -1
}

/** Decodes hex (either case). `undefined` for odd length or a non-hex character. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0) return undefined
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(text.charCodeAt(2 * i))
    const lo = hexValue(text.charCodeAt(2 * i + 1))
    if (hi < 0 || lo < 0) return undefined
    out[i] = (hi << 4) | lo
  }
  return out
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const LOOKUP = new Int16Array(128).fill(-1)
for (let i = 0; i < 64; i++) {
  LOOKUP[B64.charCodeAt(i)] = i
  LOOKUP[B64URL.charCodeAt(i)] = i
}

function encode64(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)
    out += alphabet[n >> 18] + (alphabet[(n >> 12) & 63] as string) + alphabet[(n >> 6) & 63] + alphabet[n & 63]
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = (bytes[i] as number) << 16
    out += alphabet[n >> 18] + (alphabet[(n >> 12) & 63] as string) + (pad ? '==' : '')
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8)
    out += alphabet[n >> 18] + (alphabet[(n >> 12) & 63] as string) + alphabet[(n >> 6) & 63] + (pad ? '=' : '')
  }
  return out
}

export function toBase64(bytes: Uint8Array): string {
  return encode64(bytes, B64, true)
}

/** base64url without padding (RFC 4648 §5), as JWTs and Sanity use it. */
export function toBase64Url(bytes: Uint8Array): string {
  return encode64(bytes, B64URL, false)
}

/**
 * Decodes base64 or base64url, padded or not. Rejects characters outside both
 * alphabets, impossible lengths and non-zero trailing bits (non-canonical input).
 */
export function fromBase64(text: string): Uint8Array | undefined {
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--
  const padding = text.length - end
  if (padding > 2 || (padding > 0 && text.length % 4 !== 0)) return undefined
  if (end % 4 === 1) return undefined
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let buffer = 0
  let bits = 0
  let o = 0
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i)
    const value = code < 128 ? (LOOKUP[code] as number) : -1
    if (value < 0) return undefined
    buffer = (buffer << 6) | value
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (buffer >> bits) & 0xff
    }
  }
  if (bits > 0 && (buffer & ((1 << bits) - 1)) !== 0) return undefined
  return out
}
