// `send`, `sign` and `simulate`: sign exactly as a provider does, deliver one event, print the
// headers, or run the provider simulator against an endpoint.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { type SimulationReport, simulateProvider } from '../simulator/engine.js'
import { connections, sendAttempt } from '../simulator/http.js'
import { DELIVERY_PROVIDERS, type DeliveryProfile, deliveryProfile, type SignInput } from '../simulator/profiles.js'
import { sampleEvent, sampleEventTypes } from '../testing/samples.js'
import type { WebhookRequest } from '../types.js'
import { type OptionSpec, type OptionSpecs, type Parsed, suggest, UsageError } from './args.js'
import { CliError, type Command, flag, HELP, list, number, text } from './command.js'
import { formatMs, type Io, progressReporter, table } from './output.js'

const SECRET_ENV = 'WEBHOOK_INBOX_SECRET'

const PROVIDER_OPTIONS: OptionSpecs = {
  provider: {
    type: 'string',
    placeholder: 'name',
    description: `provider to sign as: ${DELIVERY_PROVIDERS.join(', ')}`,
  },
  secret: {
    type: 'string',
    placeholder: 'secret',
    description: `signing secret (or --secret-file, or the ${SECRET_ENV} environment variable)`,
  },
  'secret-file': {
    type: 'string',
    placeholder: 'path',
    description: 'read the secret from a file (Discord: a PKCS#8 PEM)',
  },
  event: {
    type: 'string',
    placeholder: 'type',
    description: 'sample event type (default: the first sample of the provider)',
  },
  payload: { type: 'string', placeholder: 'file', description: 'send this file as the raw body instead of a sample' },
  id: {
    type: 'string',
    placeholder: 'id',
    description: 'event id (default: the sample id; a fresh one per event in simulate)',
  },
  header: {
    type: 'list',
    placeholder: 'name:value',
    description: 'extra header, repeatable (added after the signed ones)',
  },
}

function providerProfile(parsed: Parsed): DeliveryProfile {
  const name = text(parsed, 'provider')
  if (!name) throw new UsageError(`missing --provider; known providers: ${DELIVERY_PROVIDERS.join(', ')}`)
  const profile = deliveryProfile(name.toLowerCase())
  if (!profile) {
    const hint = suggest(name.toLowerCase(), DELIVERY_PROVIDERS)
    throw new UsageError(
      `unknown provider "${name}"${hint ? ` (did you mean ${hint}?)` : ''}; known providers: ${DELIVERY_PROVIDERS.join(', ')}`,
    )
  }
  return profile
}

function readSecret(parsed: Parsed, io: Io, profile: DeliveryProfile): string {
  const file = text(parsed, 'secret-file')
  let secret = text(parsed, 'secret')
  if (secret === undefined && file) {
    try {
      secret = readFileSync(resolve(io.cwd, file), 'utf8').replace(/\r?\n$/, '')
    } catch (error) {
      throw new UsageError(`cannot read --secret-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`)
    }
  }
  secret ??= io.env[SECRET_ENV]
  if (!secret) {
    throw new UsageError(
      `missing secret: ${profile.title} signs with ${profile.secretHint}; pass --secret, --secret-file or ${SECRET_ENV}`,
    )
  }
  if (profile.provider === 'discord' && !secret.includes('BEGIN PRIVATE KEY')) {
    throw new UsageError(
      'Discord signs with Ed25519: pass --secret-file key.pem with a PKCS#8 private key (openssl genpkey -algorithm ed25519 -out key.pem) and configure your endpoint with its public key',
    )
  }
  return secret
}

function endpoint(parsed: Parsed, required: boolean): string {
  const url = text(parsed, 'url')
  if (url === undefined) {
    if (required) throw new UsageError('missing --url, e.g. --url http://127.0.0.1:3000/webhooks/stripe')
    return 'https://example.test/webhooks'
  }
  let parsedUrl: URL
  try {
    parsedUrl = new URL(url)
  } catch {
    throw new UsageError(`bad URL "${url}": give a full http:// or https:// URL, e.g. http://127.0.0.1:3000/webhooks`)
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') {
    throw new UsageError(`bad URL "${url}": only http:// and https:// URLs can receive webhooks`)
  }
  return url
}

function extraHeaders(parsed: Parsed): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const entry of list(parsed, 'header')) {
    const colon = entry.indexOf(':')
    if (colon <= 0) throw new UsageError(`bad --header "${entry}": write it as name:value`)
    headers[entry.slice(0, colon).trim().toLowerCase()] = entry.slice(colon + 1).trim()
  }
  return headers
}

function eventType(parsed: Parsed, profile: DeliveryProfile): string {
  const types = sampleEventTypes(profile.provider)
  const type = text(parsed, 'event') ?? (types[0] as string)
  if (!types.includes(type)) {
    const hint = suggest(type, types)
    throw new UsageError(
      `no sample event "${type}" for ${profile.provider}${hint ? ` (did you mean ${hint}?)` : ''}; known: ${types.join(', ')}`,
    )
  }
  return type
}

function readPayload(parsed: Parsed, io: Io): string | undefined {
  const file = text(parsed, 'payload')
  if (file === undefined) return undefined
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read --payload ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`)
  }
}

function oneEvent(parsed: Parsed, io: Io, profile: DeliveryProfile): SignInput['event'] {
  const type = eventType(parsed, profile)
  const payload = readPayload(parsed, io)
  const id = text(parsed, 'id')
  if (payload !== undefined) return { type, id: id ?? globalThis.crypto.randomUUID(), body: payload }
  const sample = sampleEvent(profile.provider, type, { id, now: Date.now() })
  return { type: sample.type, id: sample.id, body: sample.body }
}

async function signOne(parsed: Parsed, io: Io, requireUrl: boolean) {
  const profile = providerProfile(parsed)
  const url = endpoint(parsed, requireUrl)
  const secret = readSecret(parsed, io, profile)
  const event = oneEvent(parsed, io, profile)
  const signed = await profile.sign({ event, secret, url, now: Date.now(), retry: 0 })
  const request: WebhookRequest = { ...signed, headers: { ...signed.headers, ...extraHeaders(parsed) } }
  return { profile, event, request }
}

function headerEntries(request: WebhookRequest): [string, string][] {
  return Object.entries(request.headers as Record<string, string>)
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

function bodyText(request: WebhookRequest): string {
  return typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body)
}

const send: Command = {
  name: 'send',
  summary: 'sign one event exactly as the provider does and deliver it',
  usage: 'send --provider <name> --secret <secret> --url <url> [--event <type> | --payload <file>] [options]',
  options: {
    provider: PROVIDER_OPTIONS.provider as OptionSpec,
    url: { type: 'string', placeholder: 'url', description: 'the endpoint to deliver to' },
    ...PROVIDER_OPTIONS,
    timeout: { type: 'number', placeholder: 'ms', description: "answer deadline (default: the provider's)" },
    json: { type: 'boolean', description: 'print the result as JSON' },
    ...HELP,
  },
  notes: ['Prints the status, the answer body and the latency; exits 1 on a non-2xx answer or no answer.'],
  examples: [
    'webhook-inbox send --provider stripe --secret whsec_test --url http://127.0.0.1:3000/webhooks/stripe --event invoice.paid',
    'webhook-inbox send --provider github --secret "$GITHUB_WEBHOOK_SECRET" --url http://127.0.0.1:3000/webhooks/github --event push',
    'webhook-inbox send --provider shopify --secret-file .shopify-secret --url http://127.0.0.1:3000/webhooks/shopify --payload order.json --header x-shopify-shop-domain:my.myshopify.com',
  ],
  async run(parsed, io) {
    const { profile, event, request } = await signOne(parsed, io, true)
    const pool = connections(1)
    const result = await sendAttempt(request, {
      connections: pool,
      timeoutMs: number(parsed, 'timeout', profile.timeoutMs),
    })
    pool.close()
    if (flag(parsed, 'json')) {
      const summary =
        result.kind === 'response'
          ? { status: result.status, body: result.body, latencyMs: Math.round(result.latencyMs * 10) / 10 }
          : { error: result.kind === 'error' ? (result.code ?? result.message) : result.kind }
      io.stdout.write(`${JSON.stringify({ provider: profile.provider, type: event.type, id: event.id, ...summary })}\n`)
    } else if (result.kind === 'response') {
      io.stdout.write(
        `${profile.provider} ${event.type} ${event.id} → ${request.url}\n${result.status} in ${formatMs(result.latencyMs)}\n${result.body}${result.body.endsWith('\n') || result.body === '' ? '' : '\n'}`,
      )
    }
    if (result.kind === 'response') return result.status >= 200 && result.status < 300 ? 0 : 1
    const why =
      result.kind === 'error'
        ? `${result.code ?? result.message}`
        : result.kind === 'timeout'
          ? `no answer within ${formatMs(number(parsed, 'timeout', profile.timeoutMs))}`
          : 'connection dropped'
    throw new CliError(`could not deliver to ${request.url}: ${why}`)
  },
}

const sign: Command = {
  name: 'sign',
  summary: 'print the headers the provider would send, and a ready curl line',
  usage: 'sign --provider <name> --secret <secret> [--payload <file> | --event <type>] [--url <url>]',
  options: {
    provider: PROVIDER_OPTIONS.provider as OptionSpec,
    url: { type: 'string', placeholder: 'url', description: 'the URL the request is for (signed by Twilio)' },
    ...PROVIDER_OPTIONS,
    json: { type: 'boolean', description: 'print { method, url, headers, body } as JSON' },
    ...HELP,
  },
  notes: ['The signature is computed now; providers with a signed timestamp expire it after their tolerance.'],
  examples: [
    'webhook-inbox sign --provider stripe --secret whsec_test --payload event.json',
    'webhook-inbox sign --provider twilio --secret "$TWILIO_AUTH_TOKEN" --url https://example.com/sms --event received',
    'webhook-inbox sign --provider standard-webhooks --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw --event user.created --json',
  ],
  async run(parsed, io) {
    const { request } = await signOne(parsed, io, false)
    const body = bodyText(request)
    if (flag(parsed, 'json')) {
      io.stdout.write(
        `${JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body })}\n`,
      )
      return 0
    }
    const headers = headerEntries(request)
    io.stdout.write(
      headers
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n')
        .concat('\n\n'),
    )
    const payloadFile = text(parsed, 'payload')
    const data = payloadFile ? `--data-binary @${shellQuote(payloadFile)}` : `--data-binary ${shellQuote(body)}`
    const curl = [
      `curl -X ${request.method} ${shellQuote(request.url)}`,
      ...headers.map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`),
      data,
    ]
    io.stdout.write(`${curl.join(' \\\n  ')}\n`)
    return 0
  },
}

/** The summary table of a simulation, as `simulate` prints it. */
export function simulationSummary(report: SimulationReport): string {
  const rate = report.durationMs > 0 ? Math.round((report.attempts / report.durationMs) * 1000) : report.attempts
  const rows: string[][] = [
    ['provider', `${report.provider} (retry schedule ${report.retrySchedule}, seed ${report.seed})`],
    ['events', String(report.events)],
    ['deliveries', `${report.deliveries} (${report.deliveries - report.events} duplicate copies)`],
    ['attempts', String(report.attempts)],
    ['accepted', `${report.accepted} of ${report.events}`],
    ['duplicates answered', String(report.duplicatesAnswered)],
    ['accepted again', String(report.acceptedAgain)],
    ['retried', String(report.retried)],
    ['still failing', String(report.stillFailing)],
    ['latency p50 / p99', `${formatMs(report.latencyMs.p50)} / ${formatMs(report.latencyMs.p99)}`],
    ['duration', `${formatMs(report.durationMs)} (${rate} attempts/s)`],
  ]
  const total = Object.values(report.statuses).reduce((sum, n) => sum + n, 0)
  const histogram = Object.entries(report.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => [status, String(n), '█'.repeat(Math.max(1, Math.round((n / Math.max(1, total)) * 30)))])
  let out = `${table(rows)}\nstatus  attempts\n${table(histogram, '')}`
  if (report.stillFailing > 0) {
    const shown = report.failingIds.slice(0, 10).join(', ')
    out += `\nnever acknowledged: ${shown}${report.failingIds.length > 10 ? `, … (${report.failingIds.length} in all)` : ''}\n`
  }
  return out
}

const simulate: Command = {
  name: 'simulate',
  summary: "deliver many events the way the provider's delivery system does, and report what came back",
  usage: 'simulate --provider <name> --secret <secret> --url <url> [--events 500] [--concurrency 20] [options]',
  options: {
    provider: PROVIDER_OPTIONS.provider as OptionSpec,
    url: { type: 'string', placeholder: 'url', description: 'the endpoint to deliver to' },
    ...PROVIDER_OPTIONS,
    events: { type: 'number', placeholder: 'n', description: 'distinct events to deliver (default 100)' },
    concurrency: { type: 'number', placeholder: 'n', description: 'requests in flight at once (default 10)' },
    duplicates: {
      type: 'number',
      placeholder: '0..1',
      description: 'share of events delivered twice, half concurrently, half after the first answer (default 0)',
    },
    reorder: { type: 'boolean', description: 'deliver events in a shuffled order' },
    'retry-schedule': {
      type: 'string',
      placeholder: 'provider|fast',
      description: "provider: the provider's real delays (hours); fast: the same attempts, delays / 1000",
    },
    'fail-connection': {
      type: 'number',
      placeholder: '0..1',
      description: 'share of attempts whose connection is cut after half of the body (default 0)',
    },
    timeout: {
      type: 'number',
      placeholder: 'ms',
      description: "answer deadline per attempt (default: the provider's)",
    },
    seed: { type: 'number', placeholder: 'n', description: 'seed of the random choices, to repeat a run' },
    json: { type: 'boolean', description: 'print the report as JSON (no progress)' },
    ...HELP,
  },
  notes: [
    'Every non-2xx, timeout and cut connection is retried on the provider schedule, waiting for Retry-After',
    'when the answer has one; retries are signed again where the provider signs each attempt. Sample event',
    'types are used in turn unless --event or --payload is given. Exits 1 when any event was never acknowledged.',
  ],
  examples: [
    'webhook-inbox simulate --provider stripe --secret whsec_test --url http://127.0.0.1:3000/webhooks/stripe --events 500 --concurrency 20 --duplicates 0.3 --reorder --retry-schedule fast',
    'webhook-inbox simulate --provider slack --secret "$SLACK_SIGNING_SECRET" --url http://127.0.0.1:3000/slack/events --fail-connection 0.05 --retry-schedule fast',
    'webhook-inbox simulate --provider shopify --secret test --url http://127.0.0.1:3000/webhooks/shopify --events 50 --json > report.json',
  ],
  async run(parsed, io) {
    const profile = providerProfile(parsed)
    const url = endpoint(parsed, true)
    const secret = readSecret(parsed, io, profile)
    const schedule = text(parsed, 'retry-schedule') ?? 'provider'
    if (schedule !== 'provider' && schedule !== 'fast') {
      throw new UsageError(`--retry-schedule must be provider or fast (got "${schedule}")`)
    }
    const share = (name: string) => {
      const value = number(parsed, name, 0)
      if (value < 0 || value > 1) throw new UsageError(`--${name} must be between 0 and 1 (got ${value})`)
      return value
    }
    const count = number(parsed, 'events', 100)
    if (!Number.isInteger(count) || count < 1)
      throw new UsageError(`--events must be a positive integer (got ${count})`)
    const types = text(parsed, 'event') ? [eventType(parsed, profile)] : undefined
    const json = flag(parsed, 'json')
    const bar = progressReporter(io.stderr, 'simulate')
    if (!json) io.stderr.write(`${profile.title}: retries ${profile.schedule}\n`)
    // Ctrl-C stops the run (a provider schedule waits for hours) and still prints the summary.
    const stop = new AbortController()
    const interrupt = () => {
      io.stderr.write('\nsimulate: interrupted; unacknowledged events are reported as still failing\n')
      stop.abort()
    }
    process.once('SIGINT', interrupt)
    const report = await simulateProvider({
      signal: stop.signal,
      provider: profile,
      secret,
      url,
      events: count,
      concurrency: number(parsed, 'concurrency', 10),
      duplicates: share('duplicates'),
      reorder: flag(parsed, 'reorder'),
      retrySchedule: schedule,
      failConnection: share('fail-connection'),
      eventTypes: types,
      payload: readPayload(parsed, io),
      headers: extraHeaders(parsed),
      timeoutMs: typeof parsed.options.timeout === 'number' ? parsed.options.timeout : undefined,
      seed: typeof parsed.options.seed === 'number' ? parsed.options.seed : undefined,
      onProgress: json
        ? undefined
        : (p) =>
            bar.update(p.settled, p.events, `events settled, ${p.acknowledged} acknowledged, ${p.attempts} attempts`),
    }).finally(() => process.removeListener('SIGINT', interrupt))
    bar.end()
    if (report.unreachable)
      throw new CliError(`could not connect to ${url} (${report.unreachable}): is the server running?`)
    if (json) {
      const { log: _log, ...rest } = report
      io.stdout.write(`${JSON.stringify(rest)}\n`)
    } else io.stdout.write(simulationSummary(report))
    return report.stillFailing > 0 ? 1 : 0
  },
}

/** `send`, `sign`, `simulate`. */
export const deliveryCommands: readonly Command[] = [send, simulate, sign]
