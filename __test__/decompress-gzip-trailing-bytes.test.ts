import { gzipSync } from 'node:zlib'
import { afterEach, expect, it } from 'vitest'
import { fetch } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

const gzip = (text: string) => gzipSync(Buffer.from(text))

const BODIES: Record<string, Buffer> = {
  twoMembers: Buffer.concat([gzip('hello'), gzip(' world')]),
  zeroPadding: Buffer.concat([gzip('hello'), Buffer.alloc(16)]),
  zeroThenJunk: Buffer.concat([gzip('hello'), Buffer.from([0, 0x41, 0x42])]),
  garbage: Buffer.concat([gzip('hello'), Buffer.from('GARBAGE!')]),
  memberThenGarbage: Buffer.concat([gzip('hello'), gzip(' world'), Buffer.from('xyz')]),
}

async function outcome(response: Promise<{ text(): Promise<string> }>): Promise<string> {
  try {
    return `text ${await (await response).text()}`
  } catch (error) {
    return `error ${(error as Error).name}`
  }
}

it('bytes after a gzip member decode as in Node: members joined, zeros ignored, garbage an error', async () => {
  const server = await startHttpServer((req, res) => {
    const body = BODIES[(req.url ?? '/').slice(1)] as Buffer
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length })
    res.end(body)
  })
  const ours: Record<string, string> = {}
  const node: Record<string, string> = {}
  for (const name of Object.keys(BODIES)) {
    ours[name] = await outcome(fetch(`${server.url}/${name}`))
    node[name] = await outcome(globalThis.fetch(`${server.url}/${name}`))
  }
  expect(ours).toEqual({
    twoMembers: 'text hello world',
    zeroPadding: 'text hello',
    zeroThenJunk: 'text hello',
    garbage: 'error TypeError',
    memberThenGarbage: 'error TypeError',
  })
  expect(ours).toEqual(node)
})
