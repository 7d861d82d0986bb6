import { afterEach, expect, it } from 'vitest'
import { Client, ConnectError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

it('addressFilter refuses a redirect to a literal address: ERR_ADDRESS_BLOCKED, nothing reaches it', async () => {
  const blocked = await startRecordingServer()
  const front = await startHttpServer(
    (_req, res) => {
      res.statusCode = 302
      res.setHeader('location', `${blocked.url}/metadata`)
      res.end()
    },
    { host: '::1' },
  )
  const asked: Array<[string, number, string]> = []
  await using client = new Client({
    addressFilter: (address, family, hostname) => {
      asked.push([address, family, hostname])
      return family === 6
    },
    retry: false,
  })
  const error = await rejectionOf(client.get(`${front.url}/`))
  expect(error).toBeInstanceOf(ConnectError)
  expect(error).toMatchObject({ code: 'ERR_ADDRESS_BLOCKED' })
  expect(asked).toEqual([
    ['::1', 6, '::1'],
    ['127.0.0.1', 4, '127.0.0.1'],
  ])
  expect(front.connections.total).toBe(1)
  expect(blocked.connections.total).toBe(0)
})

it('addressFilter sees resolved addresses; a throw refuses with what it threw as cause', async () => {
  const server = await startRecordingServer()
  const thrown = new Error('filter bug')
  const seen: string[] = []
  await using client = new Client({
    lookup: (_hostname, _options, callback) => callback(null, '127.0.0.1', 4),
    addressFilter: (address, _family, hostname) => {
      seen.push(`${hostname}=${address}`)
      throw thrown
    },
    retry: false,
  })
  const error = await rejectionOf(client.get(`http://named.test:${server.port}/`))
  expect(error).toMatchObject({ code: 'ERR_ADDRESS_BLOCKED', cause: thrown })
  expect(seen).toEqual(['named.test=127.0.0.1'])
  expect(server.connections.total).toBe(0)
})
