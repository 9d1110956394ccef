import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { ensureBuilt, root } from '../edge/dist.js'
import { jsdocExamples, markdownSnippets, type Snippet } from './snippets.js'

// Every ```ts block of the README and every JSDoc @example in src/ is compiled with tsc
// (strict) against the built package, as a user's project would see it: through
// node_modules/webhook-inbox and its `exports`. README blocks of the sections a new project
// pastes first (Quickstart, Running several instances) compile as CommonJS, where top-level
// await is an error; the rest as ESM. Names a fragment leaves to the reader (`handler`,
// `queue`, `app`, ...) are declared in PRELUDE; a block that declares its own shadows them.

const CJS_SECTIONS = new Set(['Quickstart', 'Running several instances'])

const PRELUDE = `import type { ServerResponse } from 'node:http'
import type { DedupeStore, Inbox, Provider, SingleKeyDedupeStore, WebhookEvent, WebhookHandler, WebhookResponse } from 'webhook-inbox'
import type { PostgresStore } from 'webhook-inbox/postgres'
import type { EcPublicJwk } from 'webhook-inbox/verifiers'
declare global {
  const handler: WebhookHandler
  /** "the store from above" */
  const store: PostgresStore
  const yourSharedStore: DedupeStore
  const myStore: () => DedupeStore
  const queue: { add(...args: unknown[]): Promise<unknown>; send(...args: unknown[]): Promise<unknown> }
  const provider: Provider
  const enqueue: (event: WebhookEvent) => Promise<void>
  const myOldStore: SingleKeyDedupeStore
  const inbox: Inbox
  const schemas: any
  const markPaid: (...args: unknown[]) => Promise<void>
  const syncSubscription: (...args: unknown[]) => Promise<void>
  const saveCustomer: (...args: unknown[]) => Promise<void>
  /** A request as a framework hands it over, and its raw body. */
  const req: { method: string; url: string; headers: Record<string, string | undefined> }
  const res: ServerResponse
  const rawBody: Uint8Array
  const h: Record<string, string | undefined>
  const url: string
  const body: string
  const secret: string
  const token: string
  const message: Uint8Array
  const signature: string
  const err: unknown
  // Tokens as strings or bytes, as the fragment uses them.
  const received: any
  const expected: any
  const privateKey: string
  const pkcs8Pem: string
  const p256Pkcs8Pem: string
  const tooBig: boolean
  const verify: () => Promise<void>
  const writeResponse: (res: ServerResponse, response: WebhookResponse) => void
  const fetchPlaidKey: (kid: string) => Promise<EcPublicJwk | undefined>
  const cachedKeys: Map<string, EcPublicJwk>
  const expect: typeof import('vitest').expect
  /** The two runtimes of the README's untested Deno and Bun snippets, as far as they use them. */
  const Deno: {
    env: { get(name: string): string | undefined }
    serve(options: { port: number }, handler: (request: Request) => Response | Promise<Response>): unknown
  }
  const Bun: {
    env: Record<string, string | undefined>
    serve(options: { port: number; fetch(request: Request): Response | Promise<Response> }): unknown
  }
}
export {}
`

const dir = join(root, '.snippets.tmp')

/** Packages a block imports that are not installed here (a queue SDK the README only shows). */
function missingPackages(code: string): string[] {
  const names = [...code.matchAll(/from '([^']+)'/g)].map((match) => match[1] as string)
  return names.filter((name) => {
    if (name.startsWith('node:') || name.startsWith('webhook-inbox') || name.startsWith('npm:webhook-inbox'))
      return false
    const base = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : (name.split('/')[0] as string)
    return !existsSync(join(root, 'node_modules', base, 'package.json'))
  })
}

function project(kind: 'esm' | 'cjs', snippets: Snippet[]): { files: string[]; origins: Map<string, Snippet> } {
  const base = join(dir, kind)
  mkdirSync(join(base, 'node_modules'), { recursive: true })
  writeFileSync(join(base, 'package.json'), JSON.stringify({ type: kind === 'esm' ? 'module' : 'commonjs' }))
  symlinkSync(root, join(base, 'node_modules', 'webhook-inbox'), 'dir')
  writeFileSync(join(base, 'prelude.d.ts'), PRELUDE)
  const origins = new Map<string, Snippet>()
  const files = [join(base, 'prelude.d.ts')]
  snippets.forEach((snippet, index) => {
    const file = join(base, `snippet-${index}.ts`)
    // `export {}` makes every block a module, so its names never clash with another block's.
    // Deno's `npm:` specifiers name the same package.
    const code = snippet.code.replaceAll("from 'npm:webhook-inbox", "from 'webhook-inbox")
    writeFileSync(file, `${code}\nexport {}\n`)
    origins.set(file, snippet)
    files.push(file)
  })
  return { files, origins }
}

function diagnose(files: string[], origins: Map<string, Snippet>, module: ts.ModuleKind): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    module,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    esModuleInterop: true,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
  })
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    const snippet = diagnostic.file && origins.get(diagnostic.file.fileName)
    if (!diagnostic.file || !snippet || diagnostic.start === undefined)
      return `${diagnostic.file?.fileName ?? '?'}: ${text}`
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
    const [file, first] = snippet.origin.split(':')
    return `${file}:${Number(first) + line + 1}: TS${diagnostic.code} ${text}`
  })
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('documented code compiles against the built package', () => {
  it('every README ```ts block and every JSDoc @example type-checks under strict', () => {
    ensureBuilt()
    rmSync(dir, { recursive: true, force: true })
    const all = markdownSnippets(root, 'README.md')
    // A block for a client this repository does not install (an SQS or Kafka SDK) cannot be
    // compiled here; it is named in the output instead of failing or passing silently.
    const skipped = all.filter((s) => missingPackages(s.code).length > 0)
    for (const s of skipped)
      console.info(`not compiled: ${s.origin} imports ${missingPackages(s.code).join(', ')}, not installed here`)
    expect(skipped.length).toBeLessThan(5)
    const readme = all.filter((s) => !skipped.includes(s))
    const examples = jsdocExamples(root, 'src')
    expect(readme.length).toBeGreaterThan(15)
    expect(examples.length).toBeGreaterThan(100)
    const esm = project('esm', [...readme.filter((s) => !CJS_SECTIONS.has(s.section)), ...examples])
    const cjs = project(
      'cjs',
      readme.filter((s) => CJS_SECTIONS.has(s.section)),
    )
    const errors = [
      ...diagnose(esm.files, esm.origins, ts.ModuleKind.NodeNext),
      ...diagnose(cjs.files, cjs.origins, ts.ModuleKind.NodeNext),
    ]
    expect(errors).toEqual([])
  }, 120_000)
})
