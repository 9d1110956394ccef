import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { toExpress } from '../../src/adapters/express.js'
import { toFastify } from '../../src/adapters/fastify.js'
import { toHono } from '../../src/adapters/hono.js'
import { toKoa } from '../../src/adapters/koa.js'
import { toNextPagesRoute } from '../../src/adapters/next.js'
import { toNodeListener } from '../../src/adapters/node.js'
import { publicRequestUrl, resolveAdapterOptions } from '../../src/adapters/shared.js'
import { createWebhookHandler, isWebhookError } from '../../src/index.js'
import { stripe } from '../../src/providers/index.js'

const plain = resolveAdapterOptions('test')
const trusted = resolveAdapterOptions('test', { trustProxy: true })

describe('publicRequestUrl', () => {
  it('keeps the request target byte for byte', () => {
    const target = '/a/../b/%7e?x=%2F&y=a+b&&z'
    expect(publicRequestUrl({ protocol: 'http', host: 'h.test:8080', target }, plain)).toBe(
      `http://h.test:8080${target}`,
    )
  })

  it('takes scheme and authority from an absolute-form target', () => {
    expect(publicRequestUrl({ protocol: 'http', host: 'ignored', target: 'HTTPS://api.test/p?q=1' }, plain)).toBe(
      'https://api.test/p?q=1',
    )
  })

  it('keeps an IPv6 host and uses https for a TLS connection', () => {
    expect(publicRequestUrl({ protocol: 'https', host: '[::1]:8443', target: '/w' }, plain)).toBe(
      'https://[::1]:8443/w',
    )
  })

  it('ignores a forwarded host or scheme that is not one', () => {
    const parts = { protocol: 'http' as const, host: 'inner:3000', target: '/w' }
    expect(publicRequestUrl({ ...parts, forwardedHost: 'evil.test/x?', forwardedProto: 'javascript' }, trusted)).toBe(
      'http://inner:3000/w',
    )
    expect(publicRequestUrl({ ...parts, forwardedHost: 'user@evil.test' }, trusted)).toBe('http://inner:3000/w')
  })

  it('never splices an invalid Host header into the URL', () => {
    expect(publicRequestUrl({ protocol: 'http', host: 'a b/c', target: '/w' }, plain)).toBe('http://localhost/w')
  })

  it('never returns a URL that the WHATWG parser refuses, whatever Host or X-Forwarded-Host say', () => {
    const parts = { protocol: 'http' as const, host: 'inner:3000', target: '/w' }
    for (const bad of ['a:99999', 'a%zz', 'a%00b', '[:::]', '[1]', 'a%2Fb']) {
      expect(publicRequestUrl({ ...parts, host: bad }, plain)).toBe('http://localhost/w')
      expect(publicRequestUrl({ ...parts, forwardedHost: bad }, trusted)).toBe('http://inner:3000/w')
    }
  })
})

describe('adapter options are checked when the adapter is built', () => {
  const handler = createWebhookHandler({ provider: stripe({ secret: 'x' }), enqueue: () => {}, onWarning: () => {} })
  const factories = { toExpress, toKoa, toNodeListener, toHono, toFastify } as const

  for (const [name, factory] of Object.entries(factories)) {
    it(`${name} refuses a publicUrl that is not an absolute http(s) base URL`, () => {
      for (const publicUrl of ['/webhooks', 'ftp://example.test', 'https://example.test/?a=1', 'not a url']) {
        let caught: unknown
        try {
          factory(handler, { publicUrl })
        } catch (error) {
          caught = error
        }
        expect(isWebhookError(caught) && caught.code).toBe('invalid_config')
        expect((caught as Error).message).toContain(`${name}: \`publicUrl\``)
        expect((caught as Error).message).toContain("'https://api.example.com'")
      }
    })
  }

  it('refuses a trustProxy that is not a boolean', () => {
    expect(() => toExpress(handler, { trustProxy: 'yes' as unknown as boolean })).toThrow(/trustProxy/)
  })

  for (const [name, factory] of Object.entries({ ...factories, toNextPagesRoute })) {
    it(`${name} refuses a bodyTimeoutMs that is not a positive number of milliseconds`, () => {
      for (const bodyTimeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '1000']) {
        let caught: unknown
        try {
          factory(handler, { bodyTimeoutMs: bodyTimeoutMs as number })
        } catch (error) {
          caught = error
        }
        expect(isWebhookError(caught) && caught.code).toBe('invalid_config')
        expect((caught as Error).message).toContain(`${name}: \`bodyTimeoutMs\``)
      }
      expect(() => factory(handler, { bodyTimeoutMs: 250 })).not.toThrow()
    })
  }
})

describe('adapters import their framework as types only', () => {
  const runtimeImport = /^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm
  for (const file of ['express', 'koa', 'fastify', 'node', 'hono', 'next', 'shared', 'incoming', 'body-reader']) {
    it(`src/adapters/${file}.ts`, () => {
      const source = readFileSync(new URL(`../../src/adapters/${file}.ts`, import.meta.url), 'utf8')
      const modules = [...source.matchAll(runtimeImport)].map((match) => match[1])
      // Only our own modules may be loaded at run time: no framework, no Node built-in, no
      // package (hono and next share the Node body reader with the Edge bundles).
      for (const name of modules) expect(name).toMatch(/^\.\.?\//)
      if (file === 'shared') expect(modules.filter((m) => /incoming|body-reader/.test(m ?? ''))).toEqual([])
    })
  }
})
