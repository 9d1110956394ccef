// A small argument parser: `--name value`, `--name=value`, boolean `--flag` / `--no-flag`,
// repeatable options, positionals, `--` to end options. Unknown options are errors with a hint.

/** A command-line mistake: printed as one line, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'number' | 'boolean' | 'list'
  /** One line of help. */
  description: string
  /** Shown in the help as `--name <placeholder>`. */
  placeholder?: string
  /** Single-letter alias, e.g. `h`. */
  short?: string
}

export type OptionSpecs = Record<string, OptionSpec>

/** Parsed values: strings, numbers, booleans and string lists by option name. */
export interface Parsed {
  options: Record<string, string | number | boolean | string[] | undefined>
  positionals: string[]
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length] as number
}

/** The closest of `known` to `word`, when it is close enough to be a typo. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1
  for (const candidate of known) {
    const d = distance(word, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** Parses `argv` against `specs`; throws {@link UsageError} for unknown options and missing or bad values. */
export function parseArgs(argv: readonly string[], specs: OptionSpecs): Parsed {
  const options: Parsed['options'] = {}
  const positionals: string[] = []
  const byShort = new Map(
    Object.entries(specs).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])),
  )
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg)
      continue
    }
    let name: string
    let inline: string | undefined
    if (arg.startsWith('--')) {
      const equals = arg.indexOf('=')
      name = equals === -1 ? arg.slice(2) : arg.slice(2, equals)
      inline = equals === -1 ? undefined : arg.slice(equals + 1)
    } else {
      const short = byShort.get(arg.slice(1))
      if (!short) throw new UsageError(`unknown option ${arg}`)
      name = short
    }
    let spec = specs[name]
    if (!spec && name.startsWith('no-') && specs[name.slice(3)]?.type === 'boolean' && inline === undefined) {
      options[name.slice(3)] = false
      continue
    }
    if (!spec) {
      const hint = suggest(name, Object.keys(specs))
      throw new UsageError(`unknown option --${name}${hint ? ` (did you mean --${hint}?)` : ''}`)
    }
    spec = spec as OptionSpec
    if (spec.type === 'boolean') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') {
        throw new UsageError(`--${name} takes no value (got "${inline}")`)
      }
      options[name] = inline !== 'false'
      continue
    }
    let value = inline
    if (value === undefined) {
      const next = argv[i + 1]
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`--${name} needs a value${spec.placeholder ? ` (${spec.placeholder})` : ''}`)
      }
      value = next
      i++
    }
    if (spec.type === 'number') {
      const number = Number(value)
      if (value.trim() === '' || !Number.isFinite(number))
        throw new UsageError(`--${name} must be a number (got "${value}")`)
      options[name] = number
    } else if (spec.type === 'list') {
      const list = (options[name] as string[] | undefined) ?? []
      list.push(value)
      options[name] = list
    } else {
      options[name] = value
    }
  }
  return { options, positionals }
}
