import { createHash, randomBytes } from 'node:crypto'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { caPem } from './helpers/certificates.js'
import { closeAll, readBody, startHttpServer, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

const REQUESTS = 300

function randomBodies(): Buffer[] {
  // Sizes from empty to 256 KiB, every byte value possible.
  return Array.from({ length: REQUESTS }, (_, i) =>
    randomBytes(i === 0 ? 0 : Math.floor(Math.random() * 256 * 1024)),
  )
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

async function runAll(client: Client, url: string, bodies: Buffer[]) {
  return Promise.all(
    bodies.map(async (body, id) => {
      const res = await client.post(url, { body, headers: { 'x-request-id': String(id) } })
      return {
        id,
        echoedId: res.headers.get('x-request-id'),
        bytes: Buffer.from(await res.bytes()),
      }
    }),
  )
}

it('300 concurrent HTTP/1.1 requests each get their own body back, byte-exact', async () => {
  const server = await startHttpServer(async (req, res) => {
    const body = await readBody(req)
    res.setHeader('x-request-id', String(req.headers['x-request-id']))
    res.end(body)
  })
  await using client = new Client()
  const bodies = randomBodies()
  const results = await runAll(client, server.url, bodies)
  for (const { id, echoedId, bytes } of results) {
    expect(echoedId).toBe(String(id))
    expect(bytes.length).toBe(bodies[id]?.length)
    expect(sha256(bytes)).toBe(sha256(bodies[id] as Buffer))
  }
})

it('300 concurrent HTTP/2 requests each get their own body back, byte-exact', async () => {
  const server = await startSecureServer(async (req, res) => {
    const body = await readBody(req)
    res.setHeader('x-request-id', String(req.headers['x-request-id']))
    res.end(body)
  })
  await using client = new Client({ tls: { ca: caPem() } })
  const bodies = randomBodies()
  const results = await runAll(client, server.url, bodies)
  for (const { id, echoedId, bytes } of results) {
    expect(echoedId).toBe(String(id))
    expect(sha256(bytes)).toBe(sha256(bodies[id] as Buffer))
  }
})
