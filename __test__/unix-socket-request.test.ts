import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { Client, ConnectError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { caPem, serverIdentity } from './helpers/certificates.js'

let dir: string
const servers: Server[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hyperhttp-uds-'))
})

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  rmSync(dir, { recursive: true, force: true })
})

async function listen(server: Server, name: string): Promise<string> {
  const path = join(dir, name)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(path, resolve))
  return path
}

/** Answers with what it received: method, Host header and path. */
const echo: RequestListener = (req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ method: req.method, host: req.headers.host, path: req.url }))
}

it('every request goes over the socket; the URL gives the Host header and the path', async () => {
  const path = await listen(createHttpServer(echo), 'api.sock')
  await using client = new Client({ socketPath: path })
  const res = await client.get('http://docker.local/v1.45/containers/json?all=1')
  expect(await res.json()).toEqual({
    method: 'GET',
    host: 'docker.local',
    path: '/v1.45/containers/json?all=1',
  })
  const other = await client.post('http://another.host:8080/x', { body: 'hi' })
  expect(await other.json()).toEqual({ method: 'POST', host: 'another.host:8080', path: '/x' })
})

it('a redirect to another origin is followed over the same socket', async () => {
  const path = await listen(
    createHttpServer((req, res) => {
      if (req.url === '/start') {
        res.writeHead(302, { location: 'http://elsewhere.example/end' }).end()
      } else {
        echo(req, res)
      }
    }),
    'redirect.sock',
  )
  await using client = new Client({ socketPath: path })
  const res = await client.get('http://first.example/start')
  expect(res.url).toBe('http://elsewhere.example/end')
  expect(await res.json()).toMatchObject({ host: 'elsewhere.example', path: '/end' })
})

it('https: URLs speak TLS over the socket, verified against the URL host', async () => {
  const path = await listen(createHttpsServer(serverIdentity('exampleTest'), echo), 'tls.sock')
  await using client = new Client({ socketPath: path, tls: { ca: caPem() } })
  const res = await client.get('https://example.test/secure')
  expect(await res.json()).toMatchObject({ host: 'example.test', path: '/secure' })
  const wrongName = await rejectionOf(client.get('https://other.test/secure'))
  expect(wrongName).toMatchObject({ code: 'ERR_TLS_CERT_HOSTNAME' })
})

it('a socket nobody listens on is a ConnectError naming the socket', async () => {
  const path = join(dir, 'nobody.sock')
  await using client = new Client({ socketPath: path, retry: false })
  const error = await rejectionOf(client.get('http://localhost/'))
  expect(error).toBeInstanceOf(ConnectError)
  expect(error).toMatchObject({ code: 'ERR_CONNECT' })
  expect((error as Error).message).toContain(path)
})

it('socketPath must be a non-empty string', () => {
  expect(() => new Client({ socketPath: '' })).toThrow(/socketPath/)
  expect(() => new Client({ socketPath: 42 as unknown as string })).toThrow(/socketPath/)
})
