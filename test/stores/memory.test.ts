import { describe, expect, it } from 'vitest'
import { memoryStore } from '../../src/stores/memory.js'
import { testDedupeStore } from '../../src/testing/store-suite.js'

describe('memoryStore', () => {
  let time = Date.UTC(2026, 0, 1)
  testDedupeStore({
    name: 'memoryStore (fake clock)',
    create: () => memoryStore({ maxEntries: 20_000, now: () => time }),
    advance: (ms) => {
      time += ms
    },
    describe,
    it,
    expect,
  })
})
