// `inbox stats|list|show|replay|prune`: the inbox's operations from a terminal, on PostgreSQL (pg)
// or SQLite (better-sqlite3), both optional peers loaded only when a command needs them.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { isWebhookError } from '../errors.js'
import type { Inbox, InboxListOptions, InboxRecord, InboxReplayFilter, InboxState } from '../inbox/types.js'
import { INBOX_STATES } from '../inbox/types.js'
import { postgresInbox } from '../stores/postgres-inbox.js'
import { sqliteInbox } from '../stores/sqlite-inbox.js'
import { type OptionSpecs, type Parsed, UsageError } from './args.js'
import { CliError, type Command, flag, HELP, list, number, text } from './command.js'
import { formatMs, type Io, table } from './output.js'

const DATABASE_ENV = 'WEBHOOK_INBOX_DATABASE'

const COMMON: OptionSpecs = {
  database: {
    type: 'string',
    placeholder: 'postgres://…|file.db',
    description: `the inbox's database: a PostgreSQL URL or a SQLite file (or ${DATABASE_ENV})`,
  },
  table: { type: 'string', placeholder: 'name', description: "the inbox's table (default webhook_inbox_events)" },
  json: { type: 'boolean', description: 'print JSON' },
}
const FILTERS: OptionSpecs = {
  provider: { type: 'string', placeholder: 'name', description: 'only events of this provider' },
  type: { type: 'string', placeholder: 'type', description: 'only events of this type' },
  since: {
    type: 'string',
    placeholder: 'time',
    description: 'only events accepted since an ISO time or a duration ago (30m, 6h, 2d)',
  },
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }

/** `250ms`, `30s`, `5m`, `6h`, `2d`, or a bare number of milliseconds. */
export function parseDuration(value: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?$/.exec(value.trim())
  if (!match) throw new UsageError(`--${option} must be a duration such as 500ms, 30s, 5m, 6h or 2d (got "${value}")`)
  return Number(match[1]) * (UNITS[match[2] ?? 'ms'] as number)
}

function since(parsed: Parsed): string | undefined {
  const value = text(parsed, 'since')
  if (value === undefined) return undefined
  if (/^\d+(\.\d+)?\s*(ms|s|m|min|h|d)$/.test(value.trim())) {
    return new Date(Date.now() - parseDuration(value, 'since')).toISOString()
  }
  const time = Date.parse(value)
  if (Number.isNaN(time)) throw new UsageError(`--since must be an ISO time or a duration such as 6h (got "${value}")`)
  return new Date(time).toISOString()
}

/** The URL without its password, for messages. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'the PostgreSQL URL'
  }
}

function connectionCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code
  if (typeof code === 'string') return code
  return error instanceof Error ? (error.message.split('\n')[0] ?? 'error') : 'error'
}

async function load<T>(name: string, what: string): Promise<T> {
  try {
    return (await import(name)) as T
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND' || /Cannot find/.test(String(error))) {
      throw new CliError(`the inbox commands need the \`${name}\` package for ${what}: npm install ${name}`)
    }
    throw error
  }
}

interface Opened {
  inbox: Inbox
  where: string
  close(): Promise<void>
}

type PgModule = { default?: { Pool: typeof import('pg').Pool }; Pool?: typeof import('pg').Pool }
type SqliteModule = { default: typeof import('better-sqlite3') }

async function openInbox(parsed: Parsed, io: Io): Promise<Opened> {
  const database = text(parsed, 'database') ?? io.env[DATABASE_ENV]
  if (!database) throw new UsageError(`missing --database: a PostgreSQL URL (postgres://…) or a SQLite file`)
  const tableOption = text(parsed, 'table')
  if (/^postgres(ql)?:\/\//.test(database)) {
    const where = safeUrl(database)
    const pg = await load<PgModule>('pg', 'PostgreSQL')
    const Pool = pg.Pool ?? pg.default?.Pool
    if (!Pool) throw new CliError('the installed `pg` package has no Pool export')
    const pool = new Pool({ connectionString: database, max: 2, connectionTimeoutMillis: 5000 })
    pool.on('error', () => {})
    try {
      await pool.query('SELECT 1')
    } catch (error) {
      await pool.end().catch(() => {})
      throw new CliError(`cannot reach the database at ${where} (${connectionCode(error)})`)
    }
    const inbox = postgresInbox({
      query: (statement, params) => pool.query(statement, params),
      table: tableOption,
      createTable: false,
    })
    return { inbox, where, close: () => pool.end() }
  }
  const file = resolve(io.cwd, database.replace(/^(sqlite|file):(\/\/)?/, ''))
  if (!existsSync(file)) throw new CliError(`no SQLite database at ${file}`)
  const sqlite = await load<SqliteModule>('better-sqlite3', 'SQLite')
  let db: import('better-sqlite3').Database
  try {
    db = new sqlite.default(file, { fileMustExist: true })
    db.pragma('busy_timeout = 5000')
  } catch (error) {
    throw new CliError(`cannot open the SQLite database ${file} (${connectionCode(error)})`)
  }
  const inbox = sqliteInbox({ database: db, table: tableOption })
  return {
    inbox,
    where: file,
    close: async () => {
      db.close()
    },
  }
}

/** Runs `work` on the opened inbox, turning its errors into one-line messages. */
async function withInbox(parsed: Parsed, io: Io, work: (opened: Opened) => Promise<number>): Promise<number> {
  const opened = await openInbox(parsed, io)
  try {
    return await work(opened)
  } catch (error) {
    if (error instanceof UsageError || error instanceof CliError) throw error
    if (isWebhookError(error) && error.code === 'invalid_config') throw new UsageError(error.message)
    const message = connectionCode(error)
    if (/relation .* does not exist|no such table/i.test(message)) {
      throw new CliError(
        `no inbox table in ${opened.where}${text(parsed, 'table') ? '' : ' (pass --table if it is not webhook_inbox_events)'}`,
      )
    }
    throw new CliError(`the inbox at ${opened.where} failed: ${isWebhookError(error) ? error.message : message}`)
  } finally {
    await opened.close().catch(() => {})
  }
}

function age(ms: number | null): string {
  return ms === null ? '-' : formatMs(ms)
}

function states(parsed: Parsed, allowed: readonly InboxState[]): InboxState[] | undefined {
  const values = list(parsed, 'state').flatMap((value) => value.split(','))
  for (const value of values) {
    if (!allowed.includes(value as InboxState)) {
      throw new UsageError(`--state must be one of ${allowed.join(', ')} (got "${value}")`)
    }
  }
  return values.length ? (values as InboxState[]) : undefined
}

function rowOf(record: InboxRecord): string[] {
  return [
    record.key,
    record.state,
    record.type,
    String(record.attempts),
    record.receivedAt,
    record.lastError ? `${record.lastError.code}: ${record.lastError.message}` : '',
  ]
}

// Stored headers have credentials removed, but still hold the signature the delivery came with:
// a terminal, a log or a ticket it is pasted into is no place for it.
const SIGNATURE_LIKE = /signature|hmac|token|auth|secret|key|jwt|verification/i

function shownHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, SIGNATURE_LIKE.test(name) ? '(redacted)' : value]),
  )
}

function recordJson(record: InboxRecord, payload: boolean) {
  const { body, event, headers, ...rest } = record
  const shown = { ...rest, headers: shownHeaders(headers) }
  return payload
    ? { ...shown, payload: event.payload, body: new TextDecoder().decode(body) }
    : { ...shown, bodyBytes: body.byteLength }
}

const stats: Command = {
  name: 'inbox stats',
  summary: 'counts per state and the processing lag; exits 1 when events are dead or lag is too high',
  usage: 'inbox stats --database <url|file> [--max-lag 5m] [--json]',
  options: {
    ...COMMON,
    'max-lag': {
      type: 'string',
      placeholder: 'duration',
      description: 'exit 1 when the oldest pending event is older',
    },
    ...HELP,
  },
  notes: [
    'Made for cron health checks: the exit status is 0 only when nothing is dead and the lag is within --max-lag.',
  ],
  examples: [
    'webhook-inbox inbox stats --database postgres://app@db.internal:5432/app',
    'webhook-inbox inbox stats --database ./webhooks.db --max-lag 2m || notify-oncall "webhook inbox unhealthy"',
  ],
  run: (parsed, io) =>
    withInbox(parsed, io, async ({ inbox }) => {
      const maxLag = text(parsed, 'max-lag')
      const limit = maxLag === undefined ? undefined : parseDuration(maxLag, 'max-lag')
      const result = await inbox.stats()
      const problems: string[] = []
      if (result.dead > 0) problems.push(`${result.dead} dead event${result.dead === 1 ? '' : 's'}`)
      if (limit !== undefined && result.oldestPendingAgeMs !== null && result.oldestPendingAgeMs > limit) {
        problems.push(`processing lag ${formatMs(result.oldestPendingAgeMs)} is over ${formatMs(limit)}`)
      }
      if (flag(parsed, 'json')) io.stdout.write(`${JSON.stringify({ ...result, healthy: problems.length === 0 })}\n`)
      else {
        io.stdout.write(
          table([
            ...INBOX_STATES.map((state) => [state, String(result[state])]),
            ['oldest pending', age(result.oldestPendingAgeMs)],
            ['oldest failed', age(result.oldestFailedAgeMs)],
          ]),
        )
        io.stdout.write(problems.length ? `unhealthy: ${problems.join('; ')}\n` : 'healthy\n')
      }
      return problems.length ? 1 : 0
    }),
}

const listCommand: Command = {
  name: 'inbox list',
  summary: 'events by state, provider, type and time, newest first',
  usage: 'inbox list --database <url|file> [--state dead] [--provider stripe] [--type t] [--since 6h] [--limit 50]',
  options: {
    ...COMMON,
    state: { type: 'list', placeholder: 'state', description: `only these states (${INBOX_STATES.join(', ')})` },
    ...FILTERS,
    limit: { type: 'number', placeholder: 'n', description: 'rows per page, 1 to 1000 (default 50)' },
    cursor: { type: 'string', placeholder: 'cursor', description: 'the next page, from the previous output' },
    ...HELP,
  },
  examples: [
    'webhook-inbox inbox list --database ./webhooks.db --state dead',
    'webhook-inbox inbox list --database "$DATABASE_URL" --provider stripe --type invoice.paid --since 24h --json',
  ],
  run: (parsed, io) =>
    withInbox(parsed, io, async ({ inbox }) => {
      const options: InboxListOptions = {
        state: states(parsed, INBOX_STATES),
        provider: text(parsed, 'provider'),
        type: text(parsed, 'type'),
        since: since(parsed),
        limit: number(parsed, 'limit', 50),
        cursor: text(parsed, 'cursor'),
      }
      const page = await inbox.list(options)
      if (flag(parsed, 'json')) {
        const records = page.records.map((record) => recordJson(record, false))
        io.stdout.write(`${JSON.stringify({ records, cursor: page.cursor })}\n`)
        return 0
      }
      if (page.records.length === 0) io.stdout.write('no events match\n')
      else
        io.stdout.write(
          table([['key', 'state', 'type', 'attempts', 'received', 'last error'], ...page.records.map(rowOf)]),
        )
      if (page.cursor) io.stdout.write(`more: --cursor ${page.cursor}\n`)
      return 0
    }),
}

const show: Command = {
  name: 'inbox show',
  summary: 'one event with its attempts and last error (the payload only with --payload)',
  usage: 'inbox show <key> --database <url|file> [--payload] [--json]',
  options: {
    ...COMMON,
    payload: { type: 'boolean', description: 'also print the payload and the raw body' },
    ...HELP,
  },
  examples: [
    'webhook-inbox inbox show stripe:evt_1QxN7cLkd82JfR0a --database ./webhooks.db',
    'webhook-inbox inbox show github:6f1c2b40-1d7e-11f1-8a5e-3c7d9b2e4f10 --database "$DATABASE_URL" --payload --json',
  ],
  run: (parsed, io) =>
    withInbox(parsed, io, async ({ inbox, where }) => {
      const key = parsed.positionals[0]
      if (!key) throw new UsageError('missing the event key, e.g. inbox show stripe:evt_123')
      const record = await inbox.get(key)
      if (!record) throw new CliError(`no event "${key}" in ${where}`)
      const payload = flag(parsed, 'payload')
      if (flag(parsed, 'json')) {
        io.stdout.write(`${JSON.stringify(recordJson(record, payload))}\n`)
        return 0
      }
      const rows: string[][] = [
        ['key', record.key],
        ['keys', record.keys.join(', ')],
        ['provider', record.provider],
        ['id', record.id],
        ['type', record.type],
        ['state', record.state],
        ['attempts', String(record.attempts)],
        ['replays', String(record.replays)],
        ['last error', record.lastError ? `${record.lastError.code}: ${record.lastError.message}` : '-'],
      ]
      for (const [label, value] of [
        ['received', record.receivedAt],
        ['signed at', record.timestamp],
        ['accepted', record.acceptedAt],
        ['started', record.startedAt],
        ['failed', record.failedAt],
        ['dead', record.deadAt],
        ['done', record.doneAt],
        ['replayed', record.replayedAt],
        ['next attempt', record.nextAttemptAt],
        ['updated', record.updatedAt],
      ] as const) {
        if (value) rows.push([label, value])
      }
      rows.push(['request', `${record.method} ${record.url} (${record.body.byteLength} bytes)`])
      io.stdout.write(table(rows))
      io.stdout.write(`headers:\n${table(Object.entries(shownHeaders(record.headers)), '  ')}`)
      if (payload) io.stdout.write(`payload:\n${JSON.stringify(record.event.payload, null, 2)}\n`)
      return 0
    }),
}

const replay: Command = {
  name: 'inbox replay',
  summary: 'send dead (or done) events back to pending, by key or by filter, with a dry run',
  usage:
    'inbox replay [<key>] --database <url|file> [--state dead|done] [--provider p] [--type t] [--since 6h] [--dry-run]',
  options: {
    ...COMMON,
    state: { type: 'list', placeholder: 'dead|done', description: 'replay rows in these states (default dead)' },
    ...FILTERS,
    limit: { type: 'number', placeholder: 'n', description: 'replay at most this many' },
    all: { type: 'boolean', description: 'replay every dead event (needed when no key or filter is given)' },
    'dry-run': { type: 'boolean', description: 'list what would be replayed, change nothing' },
    ...HELP,
  },
  examples: [
    'webhook-inbox inbox replay stripe:evt_1QxN7cLkd82JfR0a --database ./webhooks.db',
    'webhook-inbox inbox replay --database "$DATABASE_URL" --provider shopify --since 2h --dry-run',
    'webhook-inbox inbox replay --database "$DATABASE_URL" --all',
  ],
  run: (parsed, io) =>
    withInbox(parsed, io, async ({ inbox, where }) => {
      const key = parsed.positionals[0]
      const filter: InboxReplayFilter = {
        state: states(parsed, ['dead', 'done']) as ('dead' | 'done')[] | undefined,
        provider: text(parsed, 'provider'),
        type: text(parsed, 'type'),
        since: since(parsed),
        limit: typeof parsed.options.limit === 'number' ? parsed.options.limit : undefined,
      }
      const filtered = filter.provider !== undefined || filter.type !== undefined || filter.since !== undefined
      if (!key && !filtered && !flag(parsed, 'all')) {
        throw new UsageError('give an event key, a filter (--provider, --type, --since), or --all')
      }
      const json = flag(parsed, 'json')
      if (flag(parsed, 'dry-run')) {
        let matches: InboxRecord[]
        if (key) {
          const record = await inbox.get(key)
          const replayable = filter.state ?? ['dead']
          matches = record && (replayable as readonly string[]).includes(record.state) ? [record] : []
        } else {
          matches = []
          let cursor: string | undefined
          const cap = filter.limit ?? Number.POSITIVE_INFINITY
          do {
            const page = await inbox.list({ ...filter, state: filter.state ?? 'dead', limit: 1000, cursor })
            matches.push(...page.records)
            cursor = page.cursor
          } while (cursor && matches.length < cap)
          matches = matches.slice(0, cap)
        }
        if (json) io.stdout.write(`${JSON.stringify({ dryRun: true, wouldReplay: matches.map((r) => r.key) })}\n`)
        else {
          if (matches.length)
            io.stdout.write(
              table([['key', 'state', 'type', 'attempts', 'received', 'last error'], ...matches.map(rowOf)]),
            )
          io.stdout.write(
            `dry run: would replay ${matches.length} event${matches.length === 1 ? '' : 's'} in ${where}\n`,
          )
        }
        return 0
      }
      const replayed = await inbox.replay(key ?? filter)
      if (json) io.stdout.write(`${JSON.stringify({ replayed })}\n`)
      else io.stdout.write(`replayed ${replayed} event${replayed === 1 ? '' : 's'}: back to pending for the worker\n`)
      if (key && replayed === 0)
        throw new CliError(`"${key}" was not replayed: no such event, or it is not dead or done`)
      return 0
    }),
}

const prune: Command = {
  name: 'inbox prune',
  summary: 'delete old done (or dead) events in bounded batches',
  usage: 'inbox prune --database <url|file> [--older-than 30d] [--state done,dead]',
  options: {
    ...COMMON,
    'older-than': {
      type: 'string',
      placeholder: 'duration',
      description: 'rows unchanged for this long (default 30d)',
    },
    state: { type: 'list', placeholder: 'done|dead', description: 'states to prune (default done)' },
    ...HELP,
  },
  notes: ["Keep --older-than above your providers' retry windows: a pruned id is no longer recognised as a duplicate."],
  examples: [
    'webhook-inbox inbox prune --database ./webhooks.db',
    'webhook-inbox inbox prune --database "$DATABASE_URL" --older-than 7d --state done,dead',
  ],
  run: (parsed, io) =>
    withInbox(parsed, io, async ({ inbox }) => {
      const olderThan = text(parsed, 'older-than')
      const pruned = await inbox.prune({
        olderThanMs: olderThan === undefined ? undefined : parseDuration(olderThan, 'older-than'),
        states: states(parsed, ['done', 'dead']) as ('done' | 'dead')[] | undefined,
      })
      io.stdout.write(
        flag(parsed, 'json') ? `${JSON.stringify({ pruned })}\n` : `pruned ${pruned} event${pruned === 1 ? '' : 's'}\n`,
      )
      return 0
    }),
}

/** `inbox stats|list|show|replay|prune`. */
export const inboxCommands: readonly Command[] = [stats, listCommand, show, replay, prune]
