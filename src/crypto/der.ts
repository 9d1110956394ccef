/**
 * Converts an ECDSA signature between DER (`SEQUENCE { INTEGER r, INTEGER s }`, what SendGrid
 * sends) and raw `r || s` (what Web Crypto's `verify` expects). `undefined` for malformed input.
 */
export function derToRawEcdsa(der: Uint8Array, size = 32): Uint8Array | undefined {
  let i = 0
  if (der[i++] !== 0x30) return undefined
  let seqLength = der[i++]
  if (seqLength === undefined) return undefined
  if (seqLength === 0x81) {
    seqLength = der[i++]
    if (seqLength === undefined) return undefined
  } else if (seqLength > 0x80) {
    return undefined
  }
  if (i + seqLength !== der.length) return undefined
  const out = new Uint8Array(size * 2)
  for (let part = 0; part < 2; part++) {
    if (der[i++] !== 0x02) return undefined
    let length = der[i++]
    if (length === undefined || length === 0 || length > size + 1 || i + length > der.length) return undefined
    let start = i
    i += length
    while (length > size) {
      if (der[start] !== 0) return undefined
      start++
      length--
    }
    out.set(der.subarray(start, start + length), part * size + (size - length))
  }
  return i === der.length ? out : undefined
}
