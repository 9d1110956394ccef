import type { Readable } from 'node:stream'

// Reads a Node request body into memory with two bounds: `limit` bytes (a declared
// Content-Length over it is refused before reading; a stream is cut off as soon as more than
// `limit` bytes arrived) and a deadline (a body not complete `timeoutMs` after the read began is
// given up, so a sender that declares a length and stalls cannot hold the request).
//
// Per read there is one promise and one small record; the listeners are shared functions that
// find their record on the stream, and the deadlines are checked by one shared unref'd interval
// (not a timer per request), which stops itself once no body has been read for a while.

/** What {@link readNodeBody} read. */
export type NodeBodyResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: 'too-large' | 'aborted' | 'consumed' | 'timeout' }

interface PendingRead {
  readonly stream: TrackedStream
  readonly limit: number
  readonly deadline: number
  readonly resolve: (result: NodeBodyResult) => void
  chunks: Buffer[]
  total: number
}

const READ: unique symbol = Symbol('webhook-inbox.body-read')
type TrackedStream = Readable & { [READ]?: PendingRead | undefined }

const EMPTY = new Uint8Array(0)
const TOO_LARGE: NodeBodyResult = Object.freeze({ ok: false, reason: 'too-large' })
const ABORTED: NodeBodyResult = Object.freeze({ ok: false, reason: 'aborted' })
const CONSUMED: NodeBodyResult = Object.freeze({ ok: false, reason: 'consumed' })
const TIMED_OUT: NodeBodyResult = Object.freeze({ ok: false, reason: 'timeout' })

const pending = new Set<PendingRead>()
let sweeper: ReturnType<typeof setInterval> | undefined
let sweepEveryMs = Number.POSITIVE_INFINITY
let idleSweeps = 0
// Sweeps in a row without any read pending before the interval stops (it restarts on the next read).
const IDLE_SWEEPS_BEFORE_STOP = 20

function settle(read: PendingRead, result: NodeBodyResult): void {
  const { stream } = read
  if (stream[READ] !== read) return
  stream[READ] = undefined
  pending.delete(read)
  stream.off('data', onData)
  stream.off('end', onEnd)
  stream.off('error', onError)
  stream.off('close', onClose)
  read.chunks = []
  read.resolve(result)
}

function onData(this: TrackedStream, chunk: Buffer | string): void {
  const read = this[READ]
  if (!read) return
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
  read.total += bytes.byteLength
  if (read.total > read.limit) {
    // Stop taking bytes; the adapter answers 413 and drains (or closes) what is left.
    this.pause()
    settle(read, TOO_LARGE)
    return
  }
  read.chunks.push(bytes)
}

function onEnd(this: TrackedStream): void {
  const read = this[READ]
  if (!read) return
  const { chunks, total } = read
  const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : chunks.length === 0 ? EMPTY : Buffer.concat(chunks, total)
  settle(read, { ok: true, bytes })
}

function onError(this: TrackedStream): void {
  const read = this[READ]
  // A reset or a truncated chunked body: the client is gone.
  if (read) settle(read, ABORTED)
}

function onClose(this: TrackedStream): void {
  const read = this[READ]
  if (read && !this.readableEnded) settle(read, ABORTED)
}

function sweep(): void {
  if (pending.size === 0) {
    if (++idleSweeps >= IDLE_SWEEPS_BEFORE_STOP) stopSweeper()
    return
  }
  idleSweeps = 0
  const now = Date.now()
  for (const read of pending) {
    if (read.deadline <= now) {
      // Stop reading: the adapter answers 408 and closes the connection.
      read.stream.pause()
      settle(read, TIMED_OUT)
    }
  }
}

function stopSweeper(): void {
  if (sweeper !== undefined) clearInterval(sweeper)
  sweeper = undefined
  sweepEveryMs = Number.POSITIVE_INFINITY
  idleSweeps = 0
}

// A deadline is noticed within a tenth of its timeout (10 ms to 1 s after it passed).
function watchDeadline(timeoutMs: number): void {
  idleSweeps = 0
  const every = Math.min(1000, Math.max(10, Math.floor(timeoutMs / 10)))
  if (sweeper !== undefined && every >= sweepEveryMs) return
  if (sweeper !== undefined) clearInterval(sweeper)
  sweepEveryMs = every
  sweeper = setInterval(sweep, every)
  sweeper.unref?.()
}

/** The first value of a Content-Length header as a number (`NaN` when absent or unreadable). */
function declaredLength(value: string | readonly string[] | undefined): number {
  const text = typeof value === 'string' ? value : value?.[0]
  return text === undefined ? Number.NaN : Number(text)
}

/**
 * Reads a Node body stream within `limit` bytes and `timeoutMs` milliseconds. A declared
 * `Content-Length` over `limit` is refused before any byte is read; a stream already read, ended
 * or decoding to text is `consumed`; a client that went away is `aborted`.
 */
export function readNodeBody(
  stream: Readable & { headers?: { 'content-length'?: string | string[] | undefined } },
  limit: number,
  timeoutMs: number,
): Promise<NodeBodyResult> {
  if (declaredLength(stream.headers?.['content-length']) > limit) return Promise.resolve(TOO_LARGE)
  const tracked = stream as TrackedStream
  if (tracked[READ] !== undefined || stream.readableEncoding) return Promise.resolve(CONSUMED)
  if (stream.destroyed) return Promise.resolve(ABORTED)
  if (!stream.readable || stream.readableEnded) return Promise.resolve(CONSUMED)
  return new Promise<NodeBodyResult>((resolve) => {
    const read: PendingRead = {
      stream: tracked,
      limit,
      deadline: Date.now() + timeoutMs,
      resolve,
      chunks: [],
      total: 0,
    }
    tracked[READ] = read
    pending.add(read)
    watchDeadline(timeoutMs)
    stream.on('data', onData)
    stream.on('end', onEnd)
    stream.on('error', onError)
    stream.on('close', onClose)
    // A paused stream (a framework paused it, or an earlier refusal) does not flow by itself.
    if (stream.isPaused()) stream.resume()
  })
}
