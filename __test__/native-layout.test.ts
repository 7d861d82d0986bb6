// The facade refuses a binary whose record and option layout differ from its own, naming what
// differs, since events, timings and request options would otherwise be read wrongly.
import { expect, it } from 'vitest'
import { HyperHttpError } from '../dist/esm/index.js'
import { checkedBinding, nativeBinding } from '../dist/esm/native.js'

it('accepts the binary built with this facade', () => {
  const binding = nativeBinding()
  expect(checkedBinding(binding)).toBe(binding)
})

for (const name of [
  'EVENT_SLOTS',
  'TIMING_SLOTS',
  'REQUEST_OPTION_SLOTS',
  'HEADER_SET_FIELDS',
] as const) {
  it(`refuses a binary whose ${name} differs, naming it`, () => {
    const binding = nativeBinding()
    const other = { ...binding, [name]: binding[name] + 1 }
    let thrown: unknown
    try {
      checkedBinding(other)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(HyperHttpError)
    expect((thrown as HyperHttpError).code).toBe('ERR_NATIVE_BINDING')
    expect((thrown as HyperHttpError).message).toContain(
      `${name} is ${binding[name] + 1} in the binary, ${binding[name]} here`,
    )
  })
}
