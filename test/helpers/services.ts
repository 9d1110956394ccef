import { connect } from 'node:net'
import pg from 'pg'

/** Redis URL the service tests use. @default 'redis://127.0.0.1:6379' */
export function redisUrl(): string {
  return process.env.REDIS_URL || 'redis://127.0.0.1:6379'
}

/** PostgreSQL URL the service tests use. @default 'postgres://postgres@127.0.0.1:5432/test' */
export function databaseUrl(): string {
  return process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test'
}

/** RabbitMQ URL the queue tests use. @default 'amqp://guest:guest@127.0.0.1:5672' */
export function amqpUrl(): string {
  return process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672'
}

/** NATS URL the queue tests use. @default 'nats://127.0.0.1:4222' */
export function natsUrl(): string {
  return process.env.NATS_URL || 'nats://127.0.0.1:4222'
}

const DEFAULT_PORTS: Record<string, number> = {
  'redis:': 6379,
  'postgres:': 5432,
  'postgresql:': 5432,
  'amqp:': 5672,
  'nats:': 4222,
}

/** True when CI demands the real services (`WEBHOOK_INBOX_REQUIRE_SERVICES=1`): skipping is then a failure. */
export function servicesRequired(): boolean {
  return process.env.WEBHOOK_INBOX_REQUIRE_SERVICES === '1'
}

/**
 * Runs `probe` (bounded by `timeoutMs`) and answers whether the service can be used.
 * Unreachable: prints a clear skip message and resolves `false`, or, when
 * `WEBHOOK_INBOX_REQUIRE_SERVICES=1`, throws so that the test file fails instead of skipping.
 *
 * @example
 * const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))
 * describe.skipIf(!hasRedis)('redisStore', () => { ... })
 */
export async function requireService(
  name: string,
  probe: () => Promise<unknown>,
  { timeoutMs = 3_000 }: { timeoutMs?: number } = {},
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
    return true
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (servicesRequired()) {
      throw new Error(`${name} is required (WEBHOOK_INBOX_REQUIRE_SERVICES=1) but unreachable: ${reason}`)
    }
    console.warn(
      `[webhook-inbox tests] skipping ${name} tests: ${name} unreachable (${reason}). ` +
        'Set REDIS_URL / DATABASE_URL / AMQP_URL / NATS_URL, or WEBHOOK_INBOX_REQUIRE_SERVICES=1 to make this a failure.',
    )
    return false
  } finally {
    clearTimeout(timer)
  }
}

/** Resolves when a TCP connection to the host and port of `url` opens; rejects otherwise. */
export function tcpProbe(url: string): Promise<void> {
  const { hostname, port, protocol } = new URL(url)
  const defaultPort = DEFAULT_PORTS[protocol] ?? 5432
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || defaultPort) })
    socket.once('connect', () => {
      socket.destroy()
      resolve()
    })
    socket.once('error', (error) => {
      socket.destroy()
      reject(error)
    })
  })
}

/** Resolves when a PostgreSQL login at `url` succeeds (within 2 s); rejects otherwise. */
export async function postgresProbe(url: string = databaseUrl()): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
  await client.connect()
  await client.end()
}
