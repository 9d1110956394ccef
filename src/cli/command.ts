// What every command has: options, help with examples, and a run function returning the exit status.
import type { OptionSpecs, Parsed } from './args.js'
import type { Io } from './output.js'

/** `-h, --help`, last in every command's options. */
export const HELP: OptionSpecs = { help: { type: 'boolean', short: 'h', description: 'show this help' } }

/** A failure at run time (unreachable endpoint or database): printed as one line, exit status 1. */
export class CliError extends Error {
  override readonly name = 'CliError'
}

/** One command of the tool. */
export interface Command {
  name: string
  summary: string
  usage: string
  options: OptionSpecs
  examples: readonly string[]
  /** Lines after the options in `--help`. */
  notes?: readonly string[]
  run(parsed: Parsed, io: Io): Promise<number>
}

/** The `--help` text of a command. */
export function helpText(command: Command): string {
  const rows = Object.entries(command.options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${
      spec.type === 'boolean' ? '' : ` <${spec.placeholder ?? spec.type}>`
    }`
    return { flag, description: spec.description }
  })
  const width = Math.max(...rows.map((row) => row.flag.length))
  return [
    `webhook-inbox ${command.name}: ${command.summary}`,
    '',
    `Usage: webhook-inbox ${command.usage}`,
    '',
    'Options:',
    ...rows.map((row) => `  ${row.flag.padEnd(width)}  ${row.description}`),
    ...(command.notes?.length ? ['', ...command.notes] : []),
    '',
    'Examples:',
    ...command.examples.map((example) => `  ${example}`),
    '',
  ].join('\n')
}

/** A string option, or `undefined`. */
export function text(parsed: Parsed, name: string): string | undefined {
  const value = parsed.options[name]
  return typeof value === 'string' ? value : undefined
}

/** A number option, or `fallback`. */
export function number(parsed: Parsed, name: string, fallback: number): number {
  const value = parsed.options[name]
  return typeof value === 'number' ? value : fallback
}

/** A boolean option (false when absent). */
export function flag(parsed: Parsed, name: string): boolean {
  return parsed.options[name] === true
}

/** A list option (empty when absent). */
export function list(parsed: Parsed, name: string): string[] {
  const value = parsed.options[name]
  return Array.isArray(value) ? value : []
}
