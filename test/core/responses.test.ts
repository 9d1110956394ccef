import { describe, expect, it } from 'vitest'
import { accepted, duplicate } from '../../src/core/responses.js'

// Ids come from the provider's signed body or its headers: any string, including ones JSON must escape.
const IDS = ['evt_1', 'a"b\\c', 'line\nbreak', '\u2028\u2029', '\ud800', 'ü€😀', '', '</script>']

describe('the accepted answers', () => {
  it.each(IDS)('accepted(%j) is the JSON of { ok, id } with the JSON headers', (id) => {
    const answer = accepted(id)
    expect(answer.status).toBe(200)
    expect(answer.body).toBe(JSON.stringify({ ok: true, id }))
    expect(JSON.parse(answer.body)).toEqual({ ok: true, id })
    expect(answer.headers).toEqual({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  })

  it.each(IDS)('duplicate(%j) is the JSON of { ok, duplicate, id }', (id) => {
    const answer = duplicate(id)
    expect(answer.body).toBe(JSON.stringify({ ok: true, duplicate: true, id }))
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8')
  })

  it('gives every answer its own headers object, so one caller changing it changes no other answer', () => {
    const first = accepted('evt_a')
    first.headers['x-extra'] = '1'
    expect(accepted('evt_b').headers['x-extra']).toBeUndefined()
  })
})
