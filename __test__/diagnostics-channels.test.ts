import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { afterEach, expect, it } from 'vitest'
import {
  Client,
  ConnectError,
  DiagnosticsRequest,
  type RequestCreateMessage,
  type RequestErrorMessage,
  type RequestHeadersMessage,
} from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { closeAll, closedPort, startHttpServer } from './helpers/servers.js'

const NAMES = ['create', 'headers', 'error', 'end'].map((event) => `hyperhttp:request:${event}`)

/** Records every message of hyperhttp's request channels, in order, until `stop()`. */
function record(): { events: [string, unknown][]; stop: () => void } {
  const events: [string, unknown][] = []
  const listeners = NAMES.map((name) => {
    const listener = (message: unknown) => events.push([name.slice(18), message])
    subscribe(name, listener)
    return [name, listener] as const
  })
  const stop = (): void => {
    for (const [name, listener] of listeners) unsubscribe(name, listener)
  }
  return { events, stop }
}

let stop = (): void => {}
afterEach(async () => {
  stop()
  await closeAll()
})

it('a request publishes create, headers and end with the documented shapes', async () => {
  let seen: string | undefined
  const { promise: headChecked, resolve: finishBody } = Promise.withResolvers<void>()
  const server = await startHttpServer((req, res) => {
    seen = req.headers['x-added'] as string | undefined
    res.writeHead(200, { 'x-reply': 'yes' })
    res.write('first ')
    // The rest only once the test saw that `end` waits for the body.
    headChecked.then(() => res.end('last'))
  })
  const recorder = record()
  stop = recorder.stop
  const addOnCreate = (message: unknown) =>
    (message as RequestCreateMessage).request.addHeader('x-added', 'from-subscriber')
  subscribe('hyperhttp:request:create', addOnCreate)
  await using client = new Client({ headers: { 'x-default': 'd' } })
  const res = await client.get(`${server.url}/path?q=1`, { headers: { 'x-own': 'o' } })
  unsubscribe('hyperhttp:request:create', addOnCreate)
  expect(recorder.events.map(([name]) => name)).toEqual(['create', 'headers'])
  finishBody()
  expect(await res.text()).toBe('first last')
  expect(recorder.events.map(([name]) => name)).toEqual(['create', 'headers', 'end'])

  const [[, created], [, head], [, ended]] = recorder.events as [string, unknown][]
  const { request } = created as RequestCreateMessage
  expect(request).toBeInstanceOf(DiagnosticsRequest)
  expect(request).toMatchObject({
    origin: server.url,
    method: 'GET',
    path: '/path?q=1',
    url: `${server.url}/path?q=1`,
  })
  expect(request.headers).toEqual(['x-own', 'o', 'x-default', 'd', 'x-added', 'from-subscriber'])
  expect(seen).toBe('from-subscriber')
  const { response } = head as RequestHeadersMessage
  expect((head as RequestHeadersMessage).request).toBe(request)
  expect(response).toMatchObject({
    status: 200,
    statusText: 'OK',
    url: `${server.url}/path?q=1`,
    redirected: false,
    attempts: 1,
  })
  expect(response.headers.get('x-reply')).toBe('yes')
  expect(ended).toEqual({ request })
})

it('a failed request publishes create then error with the typed error', async () => {
  const port = await closedPort()
  const recorder = record()
  stop = recorder.stop
  await using client = new Client({ retry: false })
  const error = await rejectionOf(client.post(`http://127.0.0.1:${port}/x`, { body: 'b' }))
  expect(recorder.events.map(([name]) => name)).toEqual(['create', 'error'])
  const message = recorder.events[1]?.[1] as RequestErrorMessage
  expect(message.request.method).toBe('POST')
  expect(message.error).toBe(error)
  expect(message.error).toBeInstanceOf(ConnectError)
})

it('a body cancelled unread ends the request with end, not error', async () => {
  const server = await startHttpServer((_req, res) => {
    res.write('x'.repeat(100_000))
  })
  const recorder = record()
  stop = recorder.stop
  await using client = new Client()
  const res = await client.get(server.url)
  await res.body?.cancel()
  expect(recorder.events.map(([name]) => name)).toEqual(['create', 'headers', 'end'])
})
