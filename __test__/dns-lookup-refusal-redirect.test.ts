import { afterEach, expect, it } from 'vitest'
import { Client, ConnectError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('a refusing lookup is consulted for every hop: a redirect to a refused host fails with ERR_DNS and its error as cause', async () => {
  const internal = await startRecordingServer()
  const front = await startRecordingServer((_req, res) => {
    res.statusCode = 302
    res.setHeader('location', `http://internal.test:${internal.port}/admin`)
    res.end()
  })
  const asked: string[] = []
  const refusal = new Error('internal.test is a private address')
  await using client = new Client({
    lookup: (hostname, _options, callback) => {
      asked.push(hostname)
      if (hostname === 'internal.test') callback(refusal, [])
      else callback(null, [{ address: '127.0.0.1', family: 4 }])
    },
    retry: false,
  })
  const error = await rejectionOf(client.get(`http://public.test:${front.port}/`))
  expect(error).toBeInstanceOf(ConnectError)
  expect(error).toMatchObject({ code: 'ERR_DNS', cause: refusal })
  expect(asked).toEqual(['public.test', 'internal.test'])
  expect(front.requests).toHaveLength(1)
  expect(internal.requests).toHaveLength(0)
  expect(internal.connections.total).toBe(0)
})

it('a lookup that throws fails the request with what it threw as cause', async () => {
  const thrown = new TypeError('lookup bug')
  await using client = new Client({
    lookup: () => {
      throw thrown
    },
    retry: false,
  })
  const error = await rejectionOf(client.get('http://thrower.test/'))
  expect(error).toMatchObject({ code: 'ERR_DNS', cause: thrown })
})
