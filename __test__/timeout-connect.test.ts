import { afterEach, expect, it } from 'vitest'
import { Client, TimeoutError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { type StalledListener, startStalledListener } from './helpers/stalled-listener.js'

let listener: StalledListener | undefined
afterEach(async () => {
  await listener?.close()
  listener = undefined
})

it("a connect that never completes rejects with TimeoutError phase 'connect'", async () => {
  listener = await startStalledListener()
  await using client = new Client({ timeout: { connect: 500 } })
  const error = await rejectionOf(client.get(`http://127.0.0.1:${listener.port}/`))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).code).toBe('ERR_TIMEOUT')
  expect((error as TimeoutError).phase).toBe('connect')
  expect((error as TimeoutError).message).toContain('connect')
})

// The client's own connect timeout is out of reach, so only the override can end these with
// phase 'connect'; if it were ignored the client's total timeout would fire instead.
const patientClient = () => new Client({ timeout: { connect: 120_000, total: 10_000 } })

it('a per-request connect timeout overrides the client one', async () => {
  listener = await startStalledListener()
  await using client = patientClient()
  const error = await rejectionOf(
    client.get(`http://127.0.0.1:${listener.port}/`, { timeout: { connect: 500 } }),
  )
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('connect')
})

it('client.fetch takes a per-request connect timeout and reports it as the cause of a TypeError', async () => {
  listener = await startStalledListener()
  await using client = patientClient()
  const error = await rejectionOf(
    client.fetch(`http://127.0.0.1:${listener.port}/`, { timeout: { connect: 500 } }),
  )
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).cause).toBeInstanceOf(TimeoutError)
  expect(((error as TypeError).cause as TimeoutError).phase).toBe('connect')
})
