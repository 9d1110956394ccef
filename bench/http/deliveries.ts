// The signed deliveries the HTTP benchmark sends: 2 KB JSON bodies, each with its own id in the
// signed body (GitHub signs the body only, so identical bodies are one event), signed as GitHub
// signs them (every route but the Stripe SDK's) or as Stripe does.
import { signGitHubRequest, signStripeRequest } from 'webhook-inbox/testing'

export const GITHUB_SECRET = 'bench-http-github-secret'
export const STRIPE_SECRET = 'whsec_bench_http_stripe_secret'
/** Every body is exactly this long. */
export const BODY_BYTES = 2048

/** One request as the load generator sends it. */
export interface Delivery {
  headers: Record<string, string>
  body: string
}

function padded(fields: Record<string, unknown>): string {
  const base = JSON.stringify({ ...fields, padding: '' })
  const missing = BODY_BYTES - Buffer.byteLength(base)
  if (missing < 0) throw new Error('bench: the delivery fields are longer than BODY_BYTES')
  const body = JSON.stringify({ ...fields, padding: 'x'.repeat(missing) })
  if (Buffer.byteLength(body) !== BODY_BYTES) throw new Error('bench: a delivery body is not BODY_BYTES long')
  return body
}

function wireHeaders(headers: Record<string, string | readonly string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name] = value
  }
  return out
}

/** `count` GitHub `issues` deliveries with distinct ids in their signed bodies. */
export async function githubDeliveries(count: number, run: string): Promise<Delivery[]> {
  const out: Delivery[] = []
  for (let i = 0; i < count; i++) {
    const id = `${run}-${i}`
    const body = padded({
      action: 'opened',
      delivery: id,
      issue: { id: 1_000_000 + i, number: i, title: 'Benchmark issue', state: 'open', labels: [] },
      repository: { id: 42, full_name: 'webhook-inbox/bench', private: false },
      sender: { login: 'bench', id: 7, type: 'User' },
    })
    const signed = await signGitHubRequest({ secret: GITHUB_SECRET, body, event: 'issues', id })
    out.push({ headers: wireHeaders(signed.headers as Record<string, string>), body })
  }
  return out
}

/** `count` Stripe events with distinct ids, signed now (the SDK's tolerance is 300 s). */
export async function stripeDeliveries(count: number, run: string): Promise<Delivery[]> {
  const out: Delivery[] = []
  for (let i = 0; i < count; i++) {
    const body = padded({
      id: `evt_${run}_${i}`,
      object: 'event',
      type: 'payment_intent.succeeded',
      api_version: '2024-06-20',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: `pi_${run}_${i}`, object: 'payment_intent', amount: 2000, currency: 'usd' } },
      livemode: false,
    })
    const signed = await signStripeRequest({ secret: STRIPE_SECRET, body })
    out.push({ headers: wireHeaders(signed.headers as Record<string, string>), body })
  }
  return out
}
