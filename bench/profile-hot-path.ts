// Private profiling script of the in-process hot path (the performance targets): each scheme beside its floor in
// one process, interleaved rounds, median of the per-round ratios. Not part of `npm run bench`.
//   node --import tsx bench/profile-hot-path.ts [filter] [--sizes=256,2048] [--rounds=15]
// A filter runs only the rows whose name contains it (`handle`, `sendgrid`, ...).
import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  verify as nodeVerify,
  timingSafeEqual,
} from 'node:crypto'
import { createWebhookHandler, memoryStore, type WebhookRequest } from 'webhook-inbox'
import { discord, github, sendgrid, shopify, standardWebhooks, stripe, twilio } from 'webhook-inbox/providers'
import {
  signDiscordRequest,
  signGitHubRequest,
  signSendGridRequest,
  signShopifyRequest,
  signStandardWebhooksRequest,
  signStripeRequest,
  signTwilioRequest,
} from 'webhook-inbox/testing'

const args = process.argv.slice(2)
const filter = args.find((arg) => !arg.startsWith('--')) ?? ''
const option = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1]
const sizes = (option('sizes') ?? '256,2048,65536,1048576').split(',').map(Number)
const rounds = Number(option('rounds') ?? 15)
const now = Date.now()
const SECRET = 'It is a secret to everybody'
const STRIPE_SECRET = 'whsec_test_secret_value'
const SW_SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`

function jsonBody(size: number, nonce = 0): string {
  const head = `{"id":"evt_${nonce}","type":"invoice.paid","nonce":${nonce},"pad":"`
  return `${head}${'x'.repeat(Math.max(0, size - head.length - 2))}"}`
}

function bytesOf(request: WebhookRequest): Buffer {
  return typeof request.body === 'string' ? Buffer.from(request.body) : Buffer.from(request.body)
}

type Run = () => unknown
interface Row {
  name: string
  floor: Run
  ours: Run
  /** iterations per timed batch */
  batch: number
}

async function time(run: Run, batch: number): Promise<number> {
  const start = process.hrtime.bigint()
  for (let i = 0; i < batch; i++) {
    const result = run()
    if (result instanceof Promise) await result
  }
  return Number(process.hrtime.bigint() - start) / batch
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

async function measure(row: Row): Promise<void> {
  // Warm both, then interleave batches so drift hits both alike.
  for (let i = 0; i < 3; i++) {
    await time(row.floor, row.batch)
    await time(row.ours, row.batch)
  }
  const ratios: number[] = []
  const floors: number[] = []
  const ours: number[] = []
  for (let round = 0; round < rounds; round++) {
    const f = await time(row.floor, row.batch)
    const o = await time(row.ours, row.batch)
    floors.push(f)
    ours.push(o)
    ratios.push(o / f)
  }
  console.log(
    `${row.name.padEnd(34)} floor ${(median(floors) / 1000).toFixed(2).padStart(9)} µs  ours ${(median(ours) / 1000).toFixed(2).padStart(9)} µs  ratio ${median(ratios).toFixed(3)}×`,
  )
}

function hmacFloor(bytes: Buffer, key: string | Buffer, given: Buffer, algorithm = 'sha256'): Run {
  return () => {
    const mac = createHmac(algorithm, key).update(bytes).digest()
    return timingSafeEqual(mac, given) && JSON.parse(bytes.toString())
  }
}

function batchFor(size: number): number {
  return size >= 1_000_000 ? 4 : size >= 65_536 ? 40 : size >= 2048 ? 400 : 1000
}

const rows: Array<[family: string, build: () => Promise<Row[]>]> = []

rows.push([
  'github verify',
  async () => {
    const out: Row[] = []
    const provider = github({ secret: SECRET })
    for (const size of sizes) {
      const request = await signGitHubRequest({ secret: SECRET, body: jsonBody(size), event: 'issues', id: 'd1' })
      const bytes = bytesOf(request)
      const signature = Buffer.from(
        String((request.headers as Record<string, string>)['x-hub-signature-256']).slice(7),
        'hex',
      )
      const input = { ...request, body: new Uint8Array(bytes) }
      out.push({
        name: `github verify+parse ${size}`,
        floor: hmacFloor(bytes, SECRET, signature),
        ours: () => provider.verify(input, { now }),
        batch: batchFor(size),
      })
    }
    return out
  },
])

rows.push([
  'stripe',
  async () => {
    const out: Row[] = []
    const provider = stripe({ secret: STRIPE_SECRET })
    for (const size of sizes) {
      const request = await signStripeRequest({ secret: STRIPE_SECRET, body: jsonBody(size), now })
      const bytes = bytesOf(request)
      const header = String((request.headers as Record<string, string>)['stripe-signature'])
      const t = /t=(\d+)/.exec(header)?.[1] as string
      const given = Buffer.from(/v1=([0-9a-f]+)/.exec(header)?.[1] as string, 'hex')
      const input = { ...request, body: new Uint8Array(bytes) }
      out.push({
        name: `stripe verify+parse ${size}`,
        floor: () => {
          const mac = createHmac('sha256', STRIPE_SECRET).update(`${t}.`).update(bytes).digest()
          return timingSafeEqual(mac, given) && JSON.parse(bytes.toString())
        },
        ours: () => provider.verify(input, { now }),
        batch: batchFor(size),
      })
    }
    return out
  },
])

rows.push([
  'standardWebhooks',
  async () => {
    const out: Row[] = []
    const provider = standardWebhooks({ secret: SW_SECRET })
    const key = Buffer.from(SW_SECRET.slice(6), 'base64')
    for (const size of sizes) {
      const request = await signStandardWebhooksRequest({ secret: SW_SECRET, body: jsonBody(size), now, id: 'msg_1' })
      const bytes = bytesOf(request)
      const headers = request.headers as Record<string, string>
      const given = Buffer.from(String(headers['webhook-signature']).split(',')[1] as string, 'base64')
      const prefix = `msg_1.${headers['webhook-timestamp']}.`
      const input = { ...request, body: new Uint8Array(bytes) }
      out.push({
        name: `standardWebhooks verify+parse ${size}`,
        floor: () => {
          const mac = createHmac('sha256', key).update(prefix).update(bytes).digest()
          return timingSafeEqual(mac, given) && JSON.parse(bytes.toString())
        },
        ours: () => provider.verify(input, { now }),
        batch: batchFor(size),
      })
    }
    return out
  },
])

rows.push([
  'shopify',
  async () => {
    const out: Row[] = []
    const provider = shopify({ secret: SECRET })
    for (const size of sizes) {
      const request = await signShopifyRequest({ secret: SECRET, body: jsonBody(size) } as never)
      const bytes = bytesOf(request)
      const headers = request.headers as Record<string, string>
      const given = Buffer.from(String(headers['x-shopify-hmac-sha256']), 'base64')
      const input = { ...request, body: new Uint8Array(bytes) }
      out.push({
        name: `shopify verify+parse ${size}`,
        floor: hmacFloor(bytes, SECRET, given),
        ours: () => provider.verify(input, { now }),
        batch: batchFor(size),
      })
    }
    return out
  },
])

rows.push([
  'twilio',
  async () => {
    const out: Row[] = []
    const provider = twilio({ secret: SECRET })
    // Past 1000 fields (about 40 KB here) a form is refused before its signature is checked.
    for (const size of sizes.map((size) => Math.min(size, 32_768))) {
      // Fields of about 40 bytes each, as Twilio sends: the size is the whole form body.
      const params: Record<string, string> = {}
      let length = 0
      for (let i = 0; length < size; i++) {
        params[`Field${i}`] = `value-${'v'.repeat(24)}-${i}`
        length += 40
      }
      const request = await signTwilioRequest({ secret: SECRET, params, url: 'https://example.test/sms' })
      const bytes = bytesOf(request)
      const input = { ...request, body: new Uint8Array(bytes) }
      // Floor: an HMAC over the body and the form parsed into an object.
      const given = createHmac('sha256', SECRET).update(bytes).digest()
      out.push({
        name: `twilio verify+parse ${size}`,
        floor: () =>
          timingSafeEqual(createHmac('sha256', SECRET).update(bytes).digest(), given) &&
          Object.fromEntries(new URLSearchParams(bytes.toString())),
        ours: () => provider.verify(input, { now }),
        batch: batchFor(size),
      })
    }
    return out
  },
])

function cachedVerify(key: KeyObject, algorithm: string | null, message: Buffer, signature: Buffer, parse: Buffer) {
  return () => nodeVerify(algorithm, message, key, signature) && JSON.parse(parse.toString())
}

rows.push([
  'discord',
  async () => {
    const out: Row[] = []
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const provider = discord({ publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() })
    const cached = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }))
    for (const size of sizes) {
      const request = await signDiscordRequest({
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        body: `{"type":2,"id":"i1","pad":"${'x'.repeat(Math.max(0, size - 30))}"}`,
        now,
      })
      const bytes = bytesOf(request)
      const headers = request.headers as Record<string, string>
      const message = Buffer.concat([Buffer.from(String(headers['x-signature-timestamp'])), bytes])
      const signature = Buffer.from(String(headers['x-signature-ed25519']), 'hex')
      const input = { ...request, body: new Uint8Array(bytes) }
      out.push({
        name: `discord verify+parse ${size}`,
        floor: cachedVerify(cached, null, message, signature, bytes),
        ours: () => provider.verify(input, { now }),
        batch: Math.max(2, batchFor(size) / 4),
      })
    }
    return out
  },
])

rows.push([
  'sendgrid',
  async () => {
    const out: Row[] = []
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const provider = sendgrid({ publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') })
    const cached = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }))
    for (const size of sizes) {
      const request = await signSendGridRequest({
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        body: `[{"sg_event_id":"e1","event":"delivered","timestamp":${Math.floor(now / 1000)},"pad":"${'x'.repeat(Math.max(0, size - 80))}"}]`,
        now,
      })
      const bytes = bytesOf(request)
      const headers = request.headers as Record<string, string>
      const message = Buffer.concat([Buffer.from(String(headers['x-twilio-email-event-webhook-timestamp'])), bytes])
      const signature = Buffer.from(String(headers['x-twilio-email-event-webhook-signature']), 'base64')
      const input = { ...request, body: new Uint8Array(bytes) }
      out.push({
        name: `sendgrid verify+parse ${size}`,
        floor: cachedVerify(cached, 'sha256', message, signature, bytes),
        ours: () => provider.verify(input, { now }),
        batch: Math.max(2, batchFor(size) / 4),
      })
    }
    return out
  },
])

rows.push([
  'handle',
  async () => {
    const out: Row[] = []
    for (const size of sizes) {
      const batch = batchFor(size)
      // Every delivery new (own id and body), so each one is claimed, enqueued and completed.
      const count = batch * (rounds + 1) + 1
      const requests: WebhookRequest[] = []
      for (let i = 0; i < count; i++) {
        const request = await signGitHubRequest({
          secret: SECRET,
          body: jsonBody(size, i),
          event: 'issues',
          id: `d${i}`,
        })
        requests.push({ ...request, body: new Uint8Array(bytesOf(request)) })
      }
      const first = requests[0] as WebhookRequest
      const bytes = Buffer.from(first.body as Uint8Array)
      const signature = Buffer.from(
        String((first.headers as Record<string, string>)['x-hub-signature-256']).slice(7),
        'hex',
      )
      const handler = createWebhookHandler({
        provider: github({ secret: SECRET }),
        store: memoryStore({ maxEntries: 10 * count }),
        enqueue: async () => {},
      })
      let next = 0
      out.push({
        name: `handle github memory ${size}`,
        floor: hmacFloor(bytes, SECRET, signature),
        ours: () => handler.handle(requests[next++ % count] as WebhookRequest),
        batch,
      })
    }
    return out
  },
])

// `--count=N --side=floor|ours`: run one row N times after a warm-up, for instruction counts
// (`valgrind --tool=callgrind`: the difference between two N gives the cost per call).
const count = option('count')
for (const [family, build] of rows) {
  if (!filter.startsWith(family) && !family.includes(filter) && !filter.includes(family)) continue
  for (const row of await build()) {
    if (count !== undefined) {
      if (row.name !== filter) continue
      const run = option('side') === 'floor' ? row.floor : row.ours
      await time(run, 3000)
      await time(run, Number(count))
    } else if (row.name.includes(filter)) await measure(row)
  }
}
