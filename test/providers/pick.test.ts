// pick() reads ids and types out of parsed payloads for most presets: one level or a dotted path.
import { describe, expect, it } from 'vitest'
import { pick } from '../../src/providers/define.js'

describe('pick reads a string out of parsed JSON', () => {
  const value = { id: 'evt_1', n: 42, empty: '', data: { object: { id: 'obj_1' }, count: 0, list: ['a'] } }

  it('one level and dotted paths', () => {
    expect(pick(value, 'id')).toBe('evt_1')
    expect(pick(value, 'data.object.id')).toBe('obj_1')
    expect(pick(value, 'data.list.0')).toBe('a')
  })

  it('finite numbers as text, empty strings and everything else as undefined', () => {
    expect(pick(value, 'n')).toBe('42')
    expect(pick(value, 'data.count')).toBe('0')
    expect(pick({ n: Number.POSITIVE_INFINITY }, 'n')).toBeUndefined()
    expect(pick(value, 'empty')).toBeUndefined()
    expect(pick(value, 'data')).toBeUndefined()
    expect(pick({ flag: true }, 'flag')).toBeUndefined()
  })

  it('a missing step, a step through a non-object, or a non-object root gives undefined', () => {
    expect(pick(value, 'missing')).toBeUndefined()
    expect(pick(value, 'data.missing.id')).toBeUndefined()
    expect(pick(value, 'id.length')).toBeUndefined()
    expect(pick(value, 'data.object.id.more')).toBeUndefined()
    for (const root of [null, undefined, 'text', 7, true]) expect(pick(root, 'id')).toBeUndefined()
    expect(pick({ a: null }, 'a.b')).toBeUndefined()
  })

  it('empty path segments name the empty key, as split(".") did', () => {
    expect(pick({ '': 'blank' }, '')).toBe('blank')
    expect(pick({ a: { '': 'x' } }, 'a.')).toBe('x')
    expect(pick({ '': { b: 'y' } }, '.b')).toBe('y')
  })
})
