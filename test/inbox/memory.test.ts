import { describe, expect, it } from 'vitest'
import { memoryInbox } from '../../src/index.js'
import { testInbox } from '../../src/testing/index.js'

let offset = 0
testInbox({
  name: 'memoryInbox',
  create: () => memoryInbox({ now: () => Date.now() + offset }),
  advance: (ms) => {
    offset += ms
  },
  describe,
  it,
  expect,
})
