import { readdirSync, readFileSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { caPem } from './helpers/certificates.js'
import { runNodeScript } from './helpers/child-process.js'
import { packageEntryUrl } from './helpers/package.js'
import {
  closeAll,
  type SecureTestServer,
  startH2cServer,
  startHttpsServer,
  startSecureServer,
} from './helpers/servers.js'

afterEach(closeAll)

// HTTP/2 connections, and the requests and body reads that use them, run on a thread of their
// own (an HTTP/2 lane), with the connection's socket on that thread's reactor; HTTP/1.1 stays
// on the engine's worker threads. Seen from outside through the threads' wake-ups: each
// thread's voluntary context switches (/proc, Linux only), summed by thread name (Linux
// truncates names to 15 bytes). Each test file runs in a process of its own, so the first
// test here sees a process in which no HTTP/2 request has run yet.

const LANE = 'hyperhttp-http2'
const WORKER = 'hyperhttp-worke'

/** Voluntary context switches (wake-ups after waiting) of this process's threads, by name. */
function wakeUps(): Map<string, number> {
  const byName = new Map<string, number>()
  for (const tid of readdirSync('/proc/self/task')) {
    let status: string
    try {
      status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8')
    } catch {
      continue // the thread ended meanwhile
    }
    const name = /^Name:\s*(.*)$/m.exec(status)?.[1] ?? ''
    const switches = Number(/^voluntary_ctxt_switches:\s*(\d+)$/m.exec(status)?.[1] ?? 0)
    byName.set(name, (byName.get(name) ?? 0) + switches)
  }
  return byName
}

const BODY = Buffer.alloc(256 * 1024, 'abcdefghijklmnopqrstuvwxyz')

/** Reads `count` bodies from `url`, 8 at a time, checking each byte for byte. */
async function readBodies(client: Client, url: string, count: number): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < count) {
      next += 1
      const res = await client.get(url)
      expect(res.status).toBe(200)
      expect(Buffer.from(await res.arrayBuffer()).equals(BODY)).toBe(true)
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
}

it.runIf(process.platform === 'linux')(
  'HTTP/1.1 over TLS stays on the worker threads: no HTTP/2 lane starts',
  async () => {
    const server = await startHttpsServer((_req, res) => res.end(BODY))
    await using client = new Client({ tls: { ca: caPem() } })
    await readBodies(client, `${server.url}/`, 20)
    expect(wakeUps().has(LANE)).toBe(false)
  },
)

it.runIf(process.platform === 'linux').each([
  ['over TLS, chosen through ALPN', false],
  ['in cleartext, with prior knowledge', true],
])(
  'an HTTP/2 connection and its responses run on its lane, not on the workers (%s)',
  async (_how, priorKnowledge) => {
    const handler = (_req: unknown, res: { end(body: Buffer): void }) => res.end(BODY)
    const server: SecureTestServer = priorKnowledge
      ? await startH2cServer(handler)
      : await startSecureServer(handler)
    await using client = new Client({ tls: { ca: caPem() }, http2PriorKnowledge: priorKnowledge })
    // The first request learns that the origin speaks HTTP/2 and opens the connection.
    await readBodies(client, `${server.url}/`, 1)
    const before = wakeUps()
    await readBodies(client, `${server.url}/`, 64)
    const after = wakeUps()
    const grew = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0)
    expect(server.sessions()).toBe(1)
    // Here the lane woke 50-90 times for 64 bodies of 256 KiB and the workers 0-1 times. With
    // the socket left on the reactor of the worker that opened it (tried), the workers woke
    // 60-100 times: each readiness of the socket woke a worker, which then woke the lane.
    expect(grew(LANE)).toBeGreaterThan(16)
    expect(grew(WORKER)).toBeLessThan(16)
  },
)

// The engine reads the variable once, when it starts: a fresh process.
const WITHOUT_LANES = `
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http2'
const { Client } = await import(${JSON.stringify(packageEntryUrl)})
const server = createServer((_req, res) => res.end('over ' + _req.httpVersion))
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const client = new Client({ http2PriorKnowledge: true })
const texts = []
for (let i = 0; i < 3; i++)
  texts.push(await (await client.get('http://127.0.0.1:' + server.address().port + '/')).text())
const names = readdirSync('/proc/self/task').map((t) =>
  readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim(),
)
await client.close()
server.close()
console.log(JSON.stringify({ texts, lanes: names.filter((n) => n === ${JSON.stringify(LANE)}).length }))
`

it.runIf(process.platform === 'linux')(
  'HYPERHTTP_HTTP2_LANES=0 runs HTTP/2 on the worker threads',
  async () => {
    const result = await runNodeScript(WITHOUT_LANES, { HYPERHTTP_HTTP2_LANES: '0' })
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({
      texts: ['over 2.0', 'over 2.0', 'over 2.0'],
      lanes: 0,
    })
  },
)
