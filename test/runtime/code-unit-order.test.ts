import { describe, expect, it } from '@jest/globals'
import { compareCodeUnits } from '../../src/runtime/code-unit-order.js'

describe('compareCodeUnits', () => {
  it('orders as Go and kubectl do, whatever the locale: upper case before lower, digits before letters', () => {
    expect(['svc-b', 'svc-B', 'svc-a', 'svc-10', 'svc-9'].sort(compareCodeUnits)).toEqual([
      'svc-10',
      'svc-9',
      'svc-B',
      'svc-a',
      'svc-b'
    ])
  })

  it('treats equal strings as equal', () => {
    expect(compareCodeUnits('shop', 'shop')).toBe(0)
  })
})
