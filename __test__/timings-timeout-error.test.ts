import { afterEach, expect, it } from 'vitest'
import { Client, TimeoutError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

it('a headers timeout carries the timings up to the failure', async () => {
  const server = await startHttpServer(() => {})
  await using client = new Client({ timeout: { read: 400 } })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(TimeoutError)
  const timings = (error as TimeoutError).timings
  expect(timings?.connect).toBeTypeOf('number')
  expect(timings?.sent).toBeGreaterThanOrEqual(timings?.connect as number)
  expect(timings?.firstByte).toBeUndefined()
  expect(timings?.reused).toBe(false)
  expect(timings?.protocol).toBe('h1')
  // The marks are the last attempt's; GET is retried.
  expect(timings?.attempts).toBe((error as TimeoutError).attempts)
})

it('a body timeout after the head carries the timings of the head', async () => {
  const server = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-length': '10' })
    res.write('12345')
  })
  await using client = new Client({ timeout: { read: 400 } })
  const res = await client.get(server.url)
  const error = await rejectionOf(res.text())
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).timings).toBe(res.timings)
  expect(res.timings?.firstByte).toBeTypeOf('number')
  expect(res.timings?.end).toBeUndefined()
})
