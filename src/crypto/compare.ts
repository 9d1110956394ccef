/**
 * Constant-time equality over two byte arrays (views with an offset included). Lengths are
 * not secret (every signature of one scheme has the same length), so a length mismatch
 * answers `false` at once; for equal lengths the loop always runs to the end.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}
