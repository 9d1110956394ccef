import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// The README's typed examples are the files under examples/, which `npm run typecheck` checks
// and `npm run examples` runs; this keeps the README blocks identical to them.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const start = readme.indexOf('## Typed events, routing and ordering')
const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1])

describe('README: Typed events, routing and ordering', () => {
  it.each([
    'examples/typed-events/stripe.ts',
    'examples/typed-events/github.ts',
    'examples/typed-events/slack.ts',
    'examples/typed-events/shopify.ts',
    'examples/typed-events/clerk.ts',
    'examples/typed-events/twilio.ts',
    'examples/typed-events/discord.ts',
    'examples/typed-events/sendgrid.ts',
    'examples/typed-events/paypal.ts',
    'examples/typed-events/qstash.ts',
    'examples/typed-events/gitlab.ts',
    'examples/refetch/stripe-refetch.ts',
    'examples/refetch/github-refetch.ts',
  ])('shows %s exactly', (file) => {
    expect(start).toBeGreaterThan(0)
    expect(blocks).toContain(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'))
  })

  it('has no other ts block that escapes the type check', () => {
    expect(blocks).toHaveLength(13)
  })
})
