import { builtinModules } from 'node:module'
import { relative, resolve } from 'node:path'
import { build } from 'esbuild'

/** One import of a package or built-in module found in a file (not a relative one). */
export interface ExternalImport {
  /** The file that imports it, relative to `base`. */
  file: string
  /** The specifier as written, e.g. `node:crypto` or `tiny-invariant`. */
  path: string
  kind: string
}

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))

/** True for `node:*` and for bare Node built-ins (`crypto`, `fs/promises`, ...). */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0] as string)
}

/**
 * The files `entries` load (themselves and the chunks they import relatively), and every
 * package and built-in import of `entries` and of the files they import relatively
 * (chunks), as esbuild's parser sees them: `import`/`export … from`, `import()` and
 * `require()` calls, never text inside strings or comments, so a runtime
 * `process.getBuiltinModule('node:crypto')` is not an import.
 */
export async function externalImports(
  entries: string[],
  base: string,
): Promise<{ imports: ExternalImport[]; files: string[] }> {
  const result = await build({
    entryPoints: entries,
    bundle: true,
    write: false,
    metafile: true,
    outdir: 'out',
    platform: 'neutral',
    format: 'esm',
    packages: 'external',
    external: [...BUILTINS],
    logLevel: 'silent',
  })
  const found: ExternalImport[] = []
  const files: string[] = []
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    files.push(resolve(file))
    for (const record of input.imports) {
      if (record.external)
        found.push({ file: relative(base, resolve(file)), path: record.original ?? record.path, kind: record.kind })
    }
  }
  return { imports: found, files }
}
