import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  END,
  providersTable,
  SECURITY_END,
  SECURITY_START,
  START,
  securityTable,
} from '../../scripts/providers-table.js'
import * as providers from '../../src/providers/index.js'
import { presetSamples } from './samples/index.js'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

describe('README provider table', () => {
  it('matches the presets (regenerate with `npm run docs:providers`)', () => {
    const start = readme.indexOf(START)
    const end = readme.indexOf(END)
    expect(start).toBeGreaterThan(-1)
    expect(readme.slice(start + START.length, end).trim()).toBe(providersTable())
  })

  it('the security table matches the presets: id and type sources, and whether each is signed', () => {
    const start = readme.indexOf(SECURITY_START)
    const end = readme.indexOf(SECURITY_END)
    expect(start).toBeGreaterThan(-1)
    expect(readme.slice(start + SECURITY_START.length, end).trim()).toBe(securityTable())
  })

  it('every preset lists its signature headers', () => {
    for (const [name, make] of Object.entries(presetSamples)) {
      const provider = make()
      expect(Array.isArray(provider.signatureHeaders), name).toBe(true)
      for (const header of provider.signatureHeaders ?? []) expect(header, name).toBe(header.toLowerCase())
    }
  })

  it('lists every preset exported from webhook-inbox/providers', () => {
    const exported = Object.entries(providers)
      .filter(
        ([name, value]) => typeof value === 'function' && !['defineProvider', 'fallbackId', 'parseForm'].includes(name),
      )
      .map(([name]) => name)
      .sort()
    expect(Object.keys(presetSamples).sort()).toEqual(exported)
  })
})
