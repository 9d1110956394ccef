import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

/** A documented code block: where it is, and its code. */
export interface Snippet {
  /** `README.md:31` or `src/adapters/next.ts:60`. */
  origin: string
  /** The `##` section of the README it sits in (empty for JSDoc). */
  section: string
  code: string
}

/** Every ```ts block of a Markdown file, with the `##` section it belongs to. */
export function markdownSnippets(root: string, file: string): Snippet[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n')
  const snippets: Snippet[] = []
  let section = ''
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string
    if (line.startsWith('## ')) section = line.slice(3).trim()
    if (line.trim() !== '```ts') continue
    const start = index + 1
    let end = start
    while (end < lines.length && (lines[end] as string).trim() !== '```') end++
    snippets.push({ origin: `${file}:${start}`, section, code: lines.slice(start, end).join('\n') })
    index = end
  }
  return snippets
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Every JSDoc `@example` under `dir` (the text after the tag up to the next tag or the comment's end). */
export function jsdocExamples(root: string, dir: string): Snippet[] {
  const snippets: Snippet[] = []
  for (const path of sourceFiles(join(root, dir))) {
    const lines = readFileSync(path, 'utf8').split('\n')
    for (let index = 0; index < lines.length; index++) {
      if (!/^\s*\*\s*@example\b/.test(lines[index] as string)) continue
      const body: string[] = []
      let end = index + 1
      for (; end < lines.length; end++) {
        const line = lines[end] as string
        if (/^\s*\*\//.test(line) || /^\s*\*\s*@\w/.test(line)) break
        body.push(line.replace(/^\s*\* ?/, ''))
      }
      snippets.push({ origin: `${relative(root, path)}:${index + 1}`, section: '', code: body.join('\n') })
      index = end - 1
    }
  }
  return snippets
}
