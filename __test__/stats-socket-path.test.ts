import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { until } from './helpers/async.js'

let dir: string
let server: Server | undefined

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hyperhttp-stats-uds-'))
})

afterEach(async () => {
  if (server) {
    server.closeAllConnections()
    await new Promise((resolve) => server?.close(resolve))
    server = undefined
  }
  rmSync(dir, { recursive: true, force: true })
})

const none = { open: 0, idle: 0, busy: 0, inFlight: 0, queued: 0, http2Streams: 0 }

it("a socket's connections and the requests queued for them are one entry, unix:<path>", async () => {
  const held: ServerResponse[] = []
  const path = join(dir, 'app.sock')
  const listening = createServer((_req, res) => held.push(res))
  server = listening
  await new Promise<void>((resolve) => listening.listen(path, resolve))
  const client = new Client({
    socketPath: path,
    limits: { maxConnectionsPerHost: 2 },
    retry: false,
  })

  const requests = Array.from({ length: 3 }, () =>
    client.get('http://app.local/').then((r) => r.text()),
  )
  await until(() => held.length === 2 && client.stats().total.queued === 1)
  const loaded = client.stats()
  for (const res of held.splice(0)) res.end('ok')
  await until(() => held.length === 1)
  for (const res of held.splice(0)) res.end('ok')
  expect(await Promise.all(requests)).toEqual(['ok', 'ok', 'ok'])
  const after = client.stats()
  await client.close()

  const key = `unix:${path}`
  const busy = { open: 2, idle: 0, busy: 2, inFlight: 2, queued: 1, http2Streams: 0 }
  expect(loaded).toEqual({ total: busy, origins: { [key]: busy } })
  const idle = { ...none, open: 2, idle: 2 }
  expect(after).toEqual({ total: idle, origins: { [key]: idle } })
})
