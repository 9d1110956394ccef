// The `webhook-inbox` command: dispatches to a command, prints its help, turns mistakes into one
// line on stderr (exit 2 for usage, 1 for failures).
import { readFileSync } from 'node:fs'
import { parseArgs, suggest, UsageError } from './args.js'
import { CliError, type Command, helpText } from './command.js'
import { deliveryCommands } from './delivery-commands.js'
import { inboxCommands } from './inbox-commands.js'
import type { Io } from './output.js'

const commands: readonly Command[] = [...deliveryCommands, ...inboxCommands]

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length))
  return [
    'webhook-inbox: test a webhook endpoint the way providers deliver, and operate the inbox.',
    '',
    'Usage: webhook-inbox <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run `webhook-inbox <command> --help` for its options and examples.',
    '',
    'Examples:',
    '  webhook-inbox send --provider stripe --secret whsec_test --url http://127.0.0.1:3000/webhooks/stripe',
    '  webhook-inbox simulate --provider github --secret test --url http://127.0.0.1:3000/webhooks/github --duplicates 0.3 --reorder',
    '',
  ].join('\n')
}

/** Runs the tool with `argv` (without `node` and the script); resolves with the exit status. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let [first, ...rest] = argv
  if (first === 'inbox') {
    const sub = rest[0]
    if (sub === undefined || sub.startsWith('-')) {
      io.stdout.write(overview())
      return sub === undefined ? 2 : 0
    }
    first = `inbox ${sub}`
    rest = rest.slice(1)
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(overview())
    return first === undefined ? 2 : 0
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${version()}\n`)
    return 0
  }
  const command = commands.find((each) => each.name === first)
  if (!command) {
    const hint = suggest(
      first,
      commands.map((each) => each.name),
    )
    io.stderr.write(
      `webhook-inbox: unknown command "${first}"${hint ? ` (did you mean ${hint}?)` : ''}; commands: ${commands.map((each) => each.name).join(', ')}\n`,
    )
    return 2
  }
  try {
    const parsed = parseArgs(rest, command.options)
    if (parsed.options.help === true) {
      io.stdout.write(helpText(command))
      return 0
    }
    return await command.run(parsed, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`webhook-inbox ${command.name}: ${error.message} (see webhook-inbox ${command.name} --help)\n`)
      return 2
    }
    if (error instanceof CliError) {
      io.stderr.write(`webhook-inbox ${command.name}: ${error.message}\n`)
      return 1
    }
    throw error
  }
}

function version(): string {
  try {
    // dist/cli.js sits beside the package's package.json one level up.
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version
  } catch {
    return 'unknown'
  }
}
