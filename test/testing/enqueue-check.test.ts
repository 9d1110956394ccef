import { describe, expect, it } from 'vitest'
import { publishing } from '../../src/core/enqueue-context.js'
import type { EnqueueContext, WebhookEvent } from '../../src/index.js'
import { testEnqueue } from '../../src/testing/index.js'

// An in-memory engine with the helpers' contract, so each check can be broken on its own.
function engine() {
  const stored: string[] = []
  const later = () => new Promise((resolve) => setTimeout(resolve, 5))
  const good = async (_event: WebhookEvent, context: EnqueueContext) => {
    await publishing('fake', context, async () => {
      await later()
      if (!stored.includes(context.key)) stored.push(context.key)
    })
  }
  return {
    stored,
    good,
    isStored: (key: string) => stored.includes(key),
    count: (key: string) => stored.filter((k) => k === key).length,
    later,
  }
}

describe('testEnqueue', () => {
  it('passes a correct enqueue and lists its checks', async () => {
    const e = engine()
    const failing = async () => {
      throw new Error('engine down')
    }
    const report = await testEnqueue({ enqueue: e.good, isStored: e.isStored, count: e.count, failing })
    expect(report.checks).toEqual([
      'resolves only after the event is stored',
      'the same key twice is stored once',
      'an aborted signal is refused and stores nothing',
      'a failed publish rejects',
    ])
  })

  it('catches a forgotten await of a helper', async () => {
    const e = engine()
    await expect(
      testEnqueue({
        enqueue: async (event, context) => {
          void e.good(event, context)
        },
        isStored: e.isStored,
      }),
    ).rejects.toThrow(/still running/)
  })

  it('catches an enqueue that resolves before its own write is stored', async () => {
    const e = engine()
    await expect(
      testEnqueue({
        enqueue: (_event, context) => {
          void e.later().then(() => e.stored.push(context.key))
        },
        isStored: e.isStored,
      }),
    ).rejects.toThrow(/does not hold the event/)
  })

  it('catches a second copy, an ignored signal, and a failure that resolves', async () => {
    const e = engine()
    const appending = async (_event: WebhookEvent, context: EnqueueContext) => {
      e.stored.push(context.key)
    }
    await expect(testEnqueue({ enqueue: appending, isStored: e.isStored, count: e.count })).rejects.toThrow(
      /held 2 times/,
    )
    await expect(testEnqueue({ enqueue: appending, isStored: e.isStored })).rejects.toThrow(/already aborted signal/)
    await expect(testEnqueue({ enqueue: e.good, isStored: e.isStored, failing: async () => {} })).rejects.toThrow(
      /resolved although the engine failed/,
    )
  })
})
