import { expect, it } from 'vitest'
import { Client, TimeoutError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'

it('a lookup that never calls back ends with the connect timeout, phase dns', async () => {
  let asked = 0
  await using client = new Client({
    lookup: () => {
      asked++
    },
    timeout: { connect: 300 },
    retry: false,
  })
  const started = performance.now()
  const error = await rejectionOf(client.get('http://silent.test/'))
  expect(error).toBeInstanceOf(TimeoutError)
  expect(error).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'dns' })
  expect(performance.now() - started).toBeGreaterThanOrEqual(290)
  expect(asked).toBe(1)
})
