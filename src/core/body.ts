/** Reads a Web stream, stopping (and cancelling it) as soon as more than `limit` bytes have arrived. */
export async function readLimited(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<{ ok: true; bytes: Uint8Array } | { ok: false }> {
  if (!stream) return { ok: true, bytes: new Uint8Array(0) }
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      // Not awaited: cancelling one branch of a teed body (after `request.clone()`, or inside
      // Next.js's edge sandbox) resolves only once the other branch is cancelled too, i.e. never.
      reader.cancel().catch(() => {})
      return { ok: false }
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return { ok: true, bytes: chunks[0] as Uint8Array }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return { ok: true, bytes }
}
