// Terminal output: aligned tables, a progress bar for terminals, plain lines for everything else.

/** Where a command writes: the process's streams in the binary, buffers in tests. */
export interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number }
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number }
  env: Record<string, string | undefined>
  cwd: string
}

/** Milliseconds for people: `0.8 ms`, `12 ms`, `3.4 s`, `2 min 5 s`. */
export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

/** Rows of cells, each column padded to its widest cell. */
export function table(rows: readonly (readonly string[])[], indent = ''): string {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length)
    })
  }
  return rows
    .map((row) =>
      (
        indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ')
      ).trimEnd(),
    )
    .join('\n')
    .concat('\n')
}

/**
 * Progress for a long run: a redrawn bar on a terminal (at most every 100 ms), otherwise a plain
 * line at every tenth of the way, so logs stay short.
 */
export function progressReporter(stream: Io['stderr'], label: string) {
  const tty = stream.isTTY === true
  let lastDraw = 0
  let lastTenth = -1
  return {
    update(done: number, total: number, detail: string) {
      if (tty) {
        const now = Date.now()
        if (now - lastDraw < 100 && done < total) return
        lastDraw = now
        const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 60))
        const filled = total === 0 ? width : Math.round((done / total) * width)
        const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`
        stream.write(`\r${label} ${bar} ${done}/${total}  ${detail}\x1b[K`)
        return
      }
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10)
      if (tenth === lastTenth) return
      lastTenth = tenth
      stream.write(`${label}: ${done}/${total} ${detail}\n`)
    },
    end() {
      if (tty) stream.write('\n')
    },
  }
}
